import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createEventStoreTables, dropEventStoreTables } from '@ripple/event-store';

/**
 * The catalog's tables as of this migration (frozen here on purpose: a later
 * column change is a new migration, never an edit of this list).
 */
const CATALOG: Record<string, { columns: string; key: string; indexes: string[] }> = {
  talents: { columns: 'id text NOT NULL, first_name text NOT NULL, last_name text NOT NULL, gender text, city text, country text, birth_year integer, agency text, updated_at timestamptz NOT NULL', key: 'id', indexes: ['last_name, first_name, id'] },
  boards: { columns: 'id text NOT NULL, name text NOT NULL, description text, owner_email text, created_at timestamptz NOT NULL', key: 'id', indexes: [] },
  tags: { columns: 'id text NOT NULL, name text NOT NULL, category text', key: 'id', indexes: [] },
  portfolios: { columns: 'id text NOT NULL, talent_id text NOT NULL, title text NOT NULL, description text, created_at timestamptz NOT NULL', key: 'id', indexes: ['talent_id'] },
  measurements: { columns: 'id text NOT NULL, talent_id text NOT NULL, height_cm integer, bust_cm integer, waist_cm integer, hips_cm integer, shoe_eu integer, eye_color text, hair_color text', key: 'id', indexes: ['talent_id'] },
  socials: { columns: 'id text NOT NULL, talent_id text NOT NULL, platform text NOT NULL, handle text NOT NULL, followers bigint, url text', key: 'id', indexes: ['talent_id'] },
  media: { columns: 'id text NOT NULL, portfolio_id text NOT NULL, url text NOT NULL, kind text NOT NULL, width integer, height integer, position integer NOT NULL', key: 'id', indexes: ['portfolio_id'] },
  board_talents: { columns: 'board_id text NOT NULL, talent_id text NOT NULL, position integer NOT NULL', key: 'board_id, talent_id', indexes: ['talent_id'] },
  board_portfolios: { columns: 'board_id text NOT NULL, portfolio_id text NOT NULL, position integer NOT NULL', key: 'board_id, portfolio_id', indexes: ['portfolio_id'] },
  media_tags: { columns: 'media_id text NOT NULL, tag_id text NOT NULL', key: 'media_id, tag_id', indexes: ['tag_id'] },
};

export class CreateConnectors1732240000030 implements MigrationInterface {
  name = 'CreateConnectors1732240000030';

  async up(qr: QueryRunner): Promise<void> {
    await createEventStoreTables(qr, 'connectors');
    await qr.query(`CREATE TABLE connectors.connector_runs (
      id uuid PRIMARY KEY, connector text NOT NULL, trigger text NOT NULL CHECK (trigger IN ('manual', 'schedule', 'webhook')),
      status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')), entities jsonb NOT NULL, error jsonb, summary jsonb,
      started_at timestamptz NOT NULL, finished_at timestamptz, updated_at timestamptz NOT NULL)`);
    await qr.query('CREATE INDEX ON connectors.connector_runs (started_at DESC, id DESC)');
    await qr.query(`CREATE INDEX ON connectors.connector_runs (connector) WHERE status = 'running'`);
    await qr.query('CREATE TABLE connectors.connector_cursors (connector text NOT NULL, entity text NOT NULL, cursor text NOT NULL, updated_at timestamptz NOT NULL, PRIMARY KEY (connector, entity))');
    // Signatures already used by a trigger: shared by every instance and kept across restarts.
    await qr.query('CREATE TABLE connectors.seen_signatures (signature text PRIMARY KEY, seen_at timestamptz NOT NULL)');
    await qr.query('CREATE INDEX ON connectors.seen_signatures (seen_at)');
    // One row per scheduled slot: the instance that inserts it runs it, the others skip.
    await qr.query('CREATE TABLE connectors.schedule_slots (connector text NOT NULL, slot timestamptz NOT NULL, PRIMARY KEY (connector, slot))');
    await qr.query(`CREATE TABLE connectors.sync_metadata (entity_name text PRIMARY KEY, active_version smallint CHECK (active_version IN (1, 2)),
      backup_version smallint CHECK (backup_version IN (1, 2)), run_id uuid, switched_at timestamptz)`);
    // Readers lock this in share mode before reading the views; a switch locks it exclusively, so no read straddles one.
    await qr.query('CREATE TABLE connectors.catalog_gate ()');
    for (const [name, t] of Object.entries(CATALOG)) {
      await qr.query(`CREATE TABLE connectors.${name}_json (run_id uuid NOT NULL, page integer NOT NULL, fetched_at timestamptz NOT NULL, records jsonb NOT NULL, PRIMARY KEY (run_id, page))`);
      for (const v of [1, 2]) {
        await qr.query(`CREATE TABLE connectors.${name}_v${v} (${t.columns}, PRIMARY KEY (${t.key}))`);
        for (const i of t.indexes) await qr.query(`CREATE INDEX ON connectors.${name}_v${v} (${i})`);
      }
      await qr.query(`CREATE VIEW connectors.${name}_current AS SELECT * FROM connectors.${name}_v1`);
      await qr.query('INSERT INTO connectors.sync_metadata (entity_name) VALUES ($1)', [name]);
    }
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const name of Object.keys(CATALOG)) {
      await qr.query(`DROP VIEW connectors.${name}_current`);
      await qr.query(`DROP TABLE connectors.${name}_v1, connectors.${name}_v2, connectors.${name}_json`);
    }
    await qr.query('DROP TABLE connectors.catalog_gate, connectors.sync_metadata, connectors.schedule_slots, connectors.seen_signatures, connectors.connector_cursors, connectors.connector_runs');
    await dropEventStoreTables(qr, 'connectors');
  }
}
