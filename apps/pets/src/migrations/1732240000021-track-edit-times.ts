import type { MigrationInterface, QueryRunner } from 'typeorm';

const RECORDS = ['pets', 'veterinarians', 'health_records', 'lost_pets', 'user_events'];

/**
 * Last-writer-wins field by field: each record keeps when a person last set each
 * field, each contact copy when the profile last set its phone,
 * and a batch sync job the attempts of its operations that are waiting to retry.
 */
export class TrackEditTimes1732240000021 implements MigrationInterface {
  name = 'TrackEditTimes1732240000021';

  async up(qr: QueryRunner): Promise<void> {
    for (const t of RECORDS) await qr.query(`ALTER TABLE pets.${t} ADD COLUMN edited_at jsonb NOT NULL DEFAULT '{}'`);
    await qr.query('ALTER TABLE pets.user_contacts ADD COLUMN phone_at timestamptz');
    await qr.query(`ALTER TABLE pets.sync_jobs ADD COLUMN kind text NOT NULL DEFAULT 'batch', ADD COLUMN user_id uuid, ADD COLUMN retrying jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE pets.sync_jobs DROP COLUMN kind, DROP COLUMN user_id, DROP COLUMN retrying');
    await qr.query('ALTER TABLE pets.user_contacts DROP COLUMN phone_at');
    for (const t of RECORDS) await qr.query(`ALTER TABLE pets.${t} DROP COLUMN edited_at`);
  }
}
