import type { QueryRunner } from 'typeorm';

export const quoteIdent = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe SQL identifier "${name}"`);
  return `"${name}"`;
};

/** The highest version an aggregate can reach: versions are PostgreSQL `integer` columns. */
export const MAX_VERSION = 2_147_483_647;

export const outboxChannel = (schema: string) => `${schema}_outbox`;

/**
 * The event store table of one service, created by that service's first migration.
 * Its outbox was the column `published_at` until `moveOutboxToItsOwnTable`.
 */
export async function createEventStoreTables(qr: QueryRunner, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  await qr.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await qr.query(`
    CREATE TABLE ${s}.events (
      position        bigserial PRIMARY KEY,
      id              uuid NOT NULL UNIQUE,
      stream_id       text NOT NULL,
      aggregate_type  text NOT NULL,
      version         integer NOT NULL CHECK (version > 0),
      type            text NOT NULL,
      schema_version  integer NOT NULL,
      data            jsonb NOT NULL,
      correlation_id  text NOT NULL,
      causation_id    text NOT NULL,
      actor           text NOT NULL,
      occurred_at     timestamptz NOT NULL,
      published_at    timestamptz,
      traceparent     text,
      CONSTRAINT events_stream_version_uq UNIQUE (stream_id, version)
    )`);
  await qr.query(`CREATE INDEX events_unpublished_idx ON ${s}.events (position) WHERE published_at IS NULL`);
}

/**
 * The trace an event continues (`EventEnvelope.traceparent`): created with the
 * table since, and added by a later migration to an event store created before.
 */
export async function addEventTraceparent(qr: QueryRunner, schema: string): Promise<void> {
  await qr.query(`ALTER TABLE ${quoteIdent(schema)}.events ADD COLUMN IF NOT EXISTS traceparent text`);
}

export async function dropEventStoreTables(qr: QueryRunner, schema: string): Promise<void> {
  await qr.query(`DROP TABLE IF EXISTS ${quoteIdent(schema)}.events`);
}

/**
 * What the outbox relay last recorded of its stream (see StreamGuard): which
 * incarnation it published to and the highest sequence it saw there, so that a
 * stream lost while no relay ran is still noticed at the next start.
 */
export async function createOutboxStreamsTable(qr: QueryRunner, schema: string): Promise<void> {
  await qr.query(`
    CREATE TABLE IF NOT EXISTS ${quoteIdent(schema)}.outbox_streams (
      stream      text PRIMARY KEY,
      created     text NOT NULL,
      high_seq    bigint NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`);
}

/**
 * The outbox as a table of its own: `outbox` holds the position of every event not
 * yet published. A trigger adds it with the event (every insert into `events`, by
 * whatever writer), and the relay deletes it once JetStream acknowledged the event.
 * The relay reads the outbox in position order, so an event that commits after a
 * higher-numbered one is simply picked up by the next pass instead of being skipped
 * by a moving cursor.
 *
 * `outbox_published`: for every minute in which the relay marked events published,
 * the lowest position it marked, so that "everything published since T" (StreamGuard,
 * after the broker lost part of a stream) is "every position from the lowest marked
 * in T's minute or later" (a few more at most, which consumers skip by version).
 * Past a week, each day's minutes are compacted into one row (EventStore.compactPublishedLog).
 *
 * Replaces `events.published_at` and its partial index: marking an event published
 * was an UPDATE of the whole event row, and as the partial index covers the column it
 * could not be a HOT update, so every mark wrote a new version of the row (its JSON
 * included) and an entry in each of the table's three other indexes. The event
 * store doubled, and where nothing vacuums it (autovacuum off) a pass got slower
 * the longer the store.
 */
export async function moveOutboxToItsOwnTable(qr: QueryRunner, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  // Two instances booting at once both run their pending migrations: the second waits here for the first and finds it done.
  await qr.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ripple-outbox-table-${schema}`]);
  const [{ done }] = await qr.query('SELECT to_regclass($1) IS NOT NULL AS done', [`${s}.outbox`]);
  if (done) return;
  await qr.query(`CREATE TABLE ${s}.outbox (position bigint PRIMARY KEY)`);
  await qr.query(`CREATE TABLE ${s}.outbox_published (minute timestamptz PRIMARY KEY, low_position bigint NOT NULL)`);
  // A statement-level trigger: one INSERT into the outbox per statement, however many events it appends.
  await qr.query(`CREATE FUNCTION ${s}.events_to_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO ${s}.outbox (position) SELECT position FROM appended; RETURN NULL; END $$`);
  // Created first: it locks out appends until this transaction commits, so none is missed below.
  await qr.query(`CREATE TRIGGER events_to_outbox AFTER INSERT ON ${s}.events REFERENCING NEW TABLE AS appended
    FOR EACH STATEMENT EXECUTE FUNCTION ${s}.events_to_outbox()`);
  await qr.query(`INSERT INTO ${s}.outbox (position) SELECT position FROM ${s}.events WHERE published_at IS NULL`);
  await qr.query(`INSERT INTO ${s}.outbox_published (minute, low_position)
    SELECT date_trunc('minute', published_at), min(position) FROM ${s}.events WHERE published_at IS NOT NULL GROUP BY 1`);
  await qr.query(`DROP INDEX IF EXISTS ${s}.events_unpublished_idx`);
  await qr.query(`ALTER TABLE ${s}.events DROP COLUMN published_at`);
}

/** Undoes `moveOutboxToItsOwnTable`: what the outbox holds is unpublished, everything else published now. */
export async function moveOutboxBackToEvents(qr: QueryRunner, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  await qr.query(`ALTER TABLE ${s}.events ADD COLUMN published_at timestamptz`);
  await qr.query(`UPDATE ${s}.events e SET published_at = now() WHERE NOT EXISTS (SELECT 1 FROM ${s}.outbox o WHERE o.position = e.position)`);
  await qr.query(`CREATE INDEX events_unpublished_idx ON ${s}.events (position) WHERE published_at IS NULL`);
  await qr.query(`DROP TRIGGER events_to_outbox ON ${s}.events`);
  await qr.query(`DROP FUNCTION ${s}.events_to_outbox()`);
  await qr.query(`DROP TABLE ${s}.outbox, ${s}.outbox_published`);
}
