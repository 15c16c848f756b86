import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The Broadstreet ad server's entities (imported and local ones in one table), the export id map and the import staging. */
export class CreateAdServer1732240000040 implements MigrationInterface {
  name = 'CreateAdServer1732240000040';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`CREATE TABLE connectors.adserver_entities (
      id uuid PRIMARY KEY,
      type text NOT NULL CHECK (type IN ('networks', 'advertisers', 'zones', 'advertisements', 'campaigns', 'placements')),
      status text NOT NULL CHECK (status IN ('local', 'synced', 'imported')),
      remote_id text, name text, fields jsonb NOT NULL, refs jsonb NOT NULL, sync_errors jsonb NOT NULL DEFAULT '[]',
      last_sync_attempt timestamptz, synced_at timestamptz, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL,
      CHECK ((status = 'local') = (remote_id IS NULL)))`);
    await qr.query('CREATE UNIQUE INDEX adserver_entities_remote ON connectors.adserver_entities (type, remote_id) WHERE remote_id IS NOT NULL');
    await qr.query('CREATE INDEX ON connectors.adserver_entities (type, status, created_at, id)');
    // The export id map: a row is written (intent, remote_id NULL) before the create call and completed after it,
    // so a rerun after a crash knows which entities may already exist remotely and under which name.
    await qr.query(`CREATE TABLE connectors.adserver_id_map (
      local_id uuid PRIMARY KEY, type text NOT NULL, marker uuid NOT NULL, sent_name text, remote_path jsonb NOT NULL,
      remote_id text, intended_at timestamptz NOT NULL, mapped_at timestamptz)`);
    await qr.query(`CREATE TABLE connectors.adserver_import_staging (
      run_id uuid NOT NULL, type text NOT NULL, remote_id text NOT NULL, path jsonb NOT NULL, record jsonb NOT NULL,
      PRIMARY KEY (run_id, type, remote_id))`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE connectors.adserver_import_staging, connectors.adserver_id_map, connectors.adserver_entities');
  }
}
