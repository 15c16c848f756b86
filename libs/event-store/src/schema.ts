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
 * `published_at` is the outbox: the relay publishes rows where it is NULL, in
 * position order, so a row that commits after a higher-numbered one is simply
 * picked up by the next pass instead of being skipped by a moving cursor.
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
