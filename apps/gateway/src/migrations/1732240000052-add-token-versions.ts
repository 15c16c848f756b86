import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each user's token version (raised by every revocation), and the version behind each ticket. */
export class AddTokenVersions1732240000052 implements MigrationInterface {
  name = 'AddTokenVersions1732240000052';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE gateway.user_roles ADD COLUMN token_version integer NOT NULL DEFAULT 0');
    await qr.query('CREATE INDEX user_roles_revoked_idx ON gateway.user_roles (user_id) WHERE token_version > 0');
    await qr.query('ALTER TABLE gateway.tickets ADD COLUMN token_version integer NOT NULL DEFAULT 0');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE gateway.tickets DROP COLUMN token_version');
    await qr.query('DROP INDEX gateway.user_roles_revoked_idx');
    await qr.query('ALTER TABLE gateway.user_roles DROP COLUMN token_version');
  }
}
