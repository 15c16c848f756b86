import type { MigrationInterface, QueryRunner } from 'typeorm';

const ENTITIES = ['talents', 'boards', 'tags', 'portfolios', 'measurements', 'socials', 'media', 'board_talents', 'board_portfolios', 'media_tags'];

/**
 * A third set of version tables: a run writes the one that is neither active
 * nor the backup, so a failed run leaves the backup to roll back to.
 */
export class AddCatalogThirdVersion1732240000050 implements MigrationInterface {
  name = 'AddCatalogThirdVersion1732240000050';

  async up(qr: QueryRunner): Promise<void> {
    for (const name of ENTITIES) await qr.query(`CREATE TABLE connectors.${name}_v3 (LIKE connectors.${name}_v1 INCLUDING ALL)`);
    await qr.query(`ALTER TABLE connectors.sync_metadata DROP CONSTRAINT sync_metadata_active_version_check, DROP CONSTRAINT sync_metadata_backup_version_check,
      ADD CONSTRAINT sync_metadata_active_version_check CHECK (active_version IN (1, 2, 3)),
      ADD CONSTRAINT sync_metadata_backup_version_check CHECK (backup_version IN (1, 2, 3))`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('UPDATE connectors.sync_metadata SET backup_version = NULL WHERE backup_version = 3');
    await qr.query(`ALTER TABLE connectors.sync_metadata DROP CONSTRAINT sync_metadata_active_version_check, DROP CONSTRAINT sync_metadata_backup_version_check,
      ADD CONSTRAINT sync_metadata_active_version_check CHECK (active_version IN (1, 2)),
      ADD CONSTRAINT sync_metadata_backup_version_check CHECK (backup_version IN (1, 2))`);
    for (const name of ENTITIES) await qr.query(`DROP TABLE connectors.${name}_v3`);
  }
}
