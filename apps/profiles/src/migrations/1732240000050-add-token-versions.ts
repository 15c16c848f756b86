import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tokens carry the version they were issued at; a revocation raises the user's. */
export class AddTokenVersions1732240000050 implements MigrationInterface {
  name = 'AddTokenVersions1732240000050';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE profiles.users ADD COLUMN token_version integer NOT NULL DEFAULT 0');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE profiles.users DROP COLUMN token_version');
  }
}
