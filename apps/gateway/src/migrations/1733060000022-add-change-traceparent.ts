import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each change keeps the trace of its feed write (NULL when not tracing), so the
 * SSE or WebSocket write that delivers it joins that trace on whichever gateway
 * instance reads it.
 */
export class AddChangeTraceparent1733060000022 implements MigrationInterface {
  name = 'AddChangeTraceparent1733060000022';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE gateway.changes ADD COLUMN traceparent text');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE gateway.changes DROP COLUMN traceparent');
  }
}
