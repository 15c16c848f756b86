import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `users` becomes rebuildable from the user events (`users.read-model.ts`):
 * - `credentials` loses its foreign key to it: a rebuild drops the live table and
 *   renames its rebuilt shadow in (credentials do not derive from events and are
 *   never rebuilt; a user's row and credentials are still written in one statement);
 * - rows written before now took `created_at` (and, for users not changed since
 *   registering, `updated_at`) from the database's clock at registration; the fold
 *   of the events gives them their first and last events' times, so they take those.
 */
export class MakeUsersRebuildable1732240000061 implements MigrationInterface {
  name = 'MakeUsersRebuildable1732240000061';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE profiles.credentials DROP CONSTRAINT IF EXISTS credentials_user_id_fkey');
    await qr.query(`
      UPDATE profiles.users u SET created_at = first.occurred_at, updated_at = latest.occurred_at
        FROM profiles.events first, profiles.events latest
       WHERE first.stream_id = u.id::text AND first.version = 1
         AND latest.stream_id = u.id::text AND latest.version = u.version
         AND (u.created_at, u.updated_at) IS DISTINCT FROM (first.occurred_at, latest.occurred_at)`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE profiles.credentials ADD CONSTRAINT credentials_user_id_fkey FOREIGN KEY (user_id) REFERENCES profiles.users (id)');
  }
}
