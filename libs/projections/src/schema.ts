import type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { checkpointTable } from './projection';

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe SQL identifier "${name}"`);
  return `"${name}"`;
};
export const qualify = (schema: string, table: string) => `${ident(schema)}.${ident(table)}`;

/** Dead letters of every projection in a service's schema. */
export async function createDeadLetterTable(qr: QueryRunner, schema: string): Promise<void> {
  await qr.query(`
    CREATE TABLE ${qualify(schema, 'dead_letters')} (
      id                uuid PRIMARY KEY,
      projection        text NOT NULL,
      event_id          text NOT NULL,
      event_type        text,
      aggregate_id      text,
      aggregate_version integer,
      stream_sequence   bigint,
      envelope          jsonb,
      raw               text,
      error             text NOT NULL,
      attempts          integer NOT NULL,
      status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'discarded')),
      blocked_by        uuid,
      correlation_id    text,
      created_at        timestamptz NOT NULL DEFAULT now(),
      updated_at        timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT dead_letters_event_uq UNIQUE (projection, event_id)
    )`);
  await qr.query(`CREATE INDEX dead_letters_open_idx ON ${qualify(schema, 'dead_letters')} (projection, aggregate_id) WHERE status = 'open'`);
}

/**
 * The storage parameter of a table whose rows a projection updates in place, event after
 * event (its checkpoints, most read models): each page is filled to 60% by inserts, so an
 * update finds room on its row's own page and is a HOT update, which writes no index entry.
 * On a full page (the default) an update writes a new version on another page and an entry
 * in every index of the table, and the table and its indexes grow by a dead row each time.
 * In a backlog of the venue directory (50,000 events over 5,000 users, bench scenario 3),
 * 9–17% of the updates of its tables were HOT at the default against 89–94% at 60, its
 * venues table ended under a third of the size (2.1 against 7.5 MB), and PostgreSQL's CPU
 * per event fell by about a tenth (see the performance log's thirty-sixth entry). An update
 * that changes an indexed column is never HOT, whatever the room.
 */
export const UPDATED_IN_PLACE = 'fillfactor = 60';

/** Per-aggregate checkpoint of one projection: the exactly-once guard, written with the projection's rows. */
export async function createCheckpointTable(qr: QueryRunner, schema: string, projection: string): Promise<void> {
  await qr.query(`
    CREATE TABLE ${qualify(schema, checkpointTable(projection))} (
      aggregate_id text PRIMARY KEY,
      version      integer NOT NULL,
      event_id     uuid NOT NULL,
      applied_at   timestamptz NOT NULL DEFAULT now()
    ) WITH (${UPDATED_IN_PLACE})`);
}

/**
 * Gives existing tables of `schema` UPDATED_IN_PLACE (`undo`: the default again). Pages
 * written from then on are filled so; those already full stay as they are until the table
 * is rewritten (a replay, which rebuilds into new tables, or VACUUM FULL).
 */
export async function leaveRoomForUpdates(qr: QueryRunner, schema: string, tables: string[], undo = false): Promise<void> {
  for (const t of tables) await qr.query(`ALTER TABLE ${qualify(schema, t)} ${undo ? 'RESET (fillfactor)' : `SET (${UPDATED_IN_PLACE})`}`);
}

/** The migration that runs `leaveRoomForUpdates` (`name` ends with its timestamp: TypeORM orders migrations by it). */
export function leaveRoomForUpdatesMigration(name: string, schema: string, tables: string[]): new () => MigrationInterface {
  return class implements MigrationInterface {
    name = name;
    up = (qr: QueryRunner) => leaveRoomForUpdates(qr, schema, tables);
    down = (qr: QueryRunner) => leaveRoomForUpdates(qr, schema, tables, true);
  };
}

/**
 * (Re)creates `shadow` as an empty, unlogged copy of `live` (qualified names): its columns,
 * defaults, constraints and indexes (LIKE … INCLUDING ALL) and its storage parameters
 * (UPDATED_IN_PLACE, say), which LIKE does not copy. Returns whether `live` is itself unlogged.
 */
export async function createShadowOf(tx: EntityManager, live: string, shadow: string): Promise<{ unlogged: boolean }> {
  const [{ persistence, options }] = await tx.query('SELECT relpersistence AS persistence, reloptions AS options FROM pg_class WHERE oid = $1::regclass', [live]);
  await tx.query(`DROP TABLE IF EXISTS ${shadow}`);
  await tx.query(`CREATE UNLOGGED TABLE ${shadow} (LIKE ${live} INCLUDING ALL)`);
  // The catalog's own `name=value` pairs.
  if ((options as string[] | null)?.length) await tx.query(`ALTER TABLE ${shadow} SET (${(options as string[]).join(', ')})`);
  return { unlogged: persistence === 'u' };
}
