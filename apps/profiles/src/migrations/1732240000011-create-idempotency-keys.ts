import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A retried command (same Idempotency-Key) is answered from here instead of being applied again. */
export class CreateIdempotencyKeys1732240000011 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1732240000011';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE profiles.idempotency_keys (
        user_id      uuid NOT NULL,
        key          text NOT NULL,
        request_hash text NOT NULL,
        response     jsonb NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE profiles.idempotency_keys');
  }
}
