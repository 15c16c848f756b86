import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createCheckpointTable } from '@ripple/projections';

/**
 * `users` becomes the `users` projection's table: its checkpoints, and no foreign
 * key from `credentials` (a replay drops the live table and renames its rebuilt
 * shadow in; credentials are not derived from events and are not rebuilt).
 */
export class MakeUsersRebuildable1732240000060 implements MigrationInterface {
  name = 'MakeUsersRebuildable1732240000060';

  async up(qr: QueryRunner): Promise<void> {
    await createCheckpointTable(qr, 'profiles', 'users');
    await qr.query('ALTER TABLE profiles.credentials DROP CONSTRAINT credentials_user_id_fkey');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE profiles.credentials ADD CONSTRAINT credentials_user_id_fkey FOREIGN KEY (user_id) REFERENCES profiles.users (id)');
    await qr.query('DROP TABLE profiles.users__checkpoints');
  }
}
