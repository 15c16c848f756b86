import type { QueryRunner } from 'typeorm';
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

/** Per-aggregate checkpoint of one projection: the exactly-once guard, written with the projection's rows. */
export async function createCheckpointTable(qr: QueryRunner, schema: string, projection: string): Promise<void> {
  await qr.query(`
    CREATE TABLE ${qualify(schema, checkpointTable(projection))} (
      aggregate_id text PRIMARY KEY,
      version      integer NOT NULL,
      event_id     uuid NOT NULL,
      applied_at   timestamptz NOT NULL DEFAULT now()
    )`);
}
