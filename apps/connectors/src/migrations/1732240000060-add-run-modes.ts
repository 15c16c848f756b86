import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Which kind each run was: full, or incremental (since the stored cursors, or matching its filters). */
export class AddRunModes1732240000060 implements MigrationInterface {
  name = 'AddRunModes1732240000060';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE connectors.connector_runs ADD COLUMN mode text NOT NULL DEFAULT 'full' CHECK (mode IN ('full', 'incremental')), ADD COLUMN filters jsonb`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE connectors.connector_runs DROP COLUMN mode, DROP COLUMN filters');
  }
}
