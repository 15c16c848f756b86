import type { DataSource, EntityManager } from 'typeorm';
import { DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { allEventsSubject, streamName } from '@ripple/contracts';
import { decodeForProjection } from './decode';
import type { Broker } from '@ripple/messaging';
import { applyBatch, projectionLockKey, shadowTables } from './apply-batch';
import { checkpointTable, type Projection } from './projection';
import { qualify } from './schema';

export interface ReplayProgress {
  projection: string;
  phase: 'rebuilding' | 'catching-up' | 'swapped';
  applied: number;
  total: number;
}

export interface ReplayOptions {
  schema: string;
  namespace: string;
  batchSize?: number;
  onProgress?: (p: ReplayProgress) => void;
}

/**
 * Rebuilds a projection from its stream, blue/green: the events are applied
 * into `<table>__rebuild` shadows while the live tables keep serving; then, under
 * the projection's exclusive lock (live batches wait), the shadows catch up with
 * whatever arrived meanwhile and replace the live tables in one transaction.
 * Checkpoints are rebuilt and swapped with the rows, so the live runner goes on
 * exactly once. Returns the number of events read.
 */
export async function replayProjection(dataSource: DataSource, broker: Broker, projection: Projection, opts: ReplayOptions): Promise<number> {
  const tables = [...projection.tables, checkpointTable(projection.name)];
  const shadow = shadowTables(opts.schema);
  await dataSource.transaction(async (tx) => {
    for (const t of tables) {
      await tx.query(`DROP TABLE IF EXISTS ${shadow(t)}`);
      await tx.query(`CREATE TABLE ${shadow(t)} (LIKE ${qualify(opts.schema, t)} INCLUDING ALL)`);
    }
  });
  const stream = streamName(opts.namespace, projection.source);
  const total = (await broker.jsm.streams.info(stream)).state.last_seq;
  const report = (phase: ReplayProgress['phase'], applied: number, upTo: number) =>
    opts.onProgress?.({ projection: projection.name, phase, applied, total: upTo });

  let lastSeq = await applyRange((write) => dataSource.transaction(write), broker, projection, opts, 0, total, (n) => report('rebuilding', n, total));
  await dataSource.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [projectionLockKey(opts.schema, projection.name)]);
    const end = (await broker.jsm.streams.info(stream)).state.last_seq;
    lastSeq = await applyRange((write) => write(tx), broker, projection, opts, lastSeq, end, (n) => report('catching-up', n, end));
    for (const t of tables) {
      const live = qualify(opts.schema, t);
      await handOverOwnedSequences(tx, live, shadow(t));
      await tx.query(`DROP TABLE ${live}`);
      await tx.query(`ALTER TABLE ${shadow(t)} RENAME TO "${t}"`);
    }
  });
  report('swapped', lastSeq, lastSeq);
  return lastSeq;
}

/**
 * A serial column's sequence is owned by the live table, and the shadow's copied
 * default (LIKE ... INCLUDING ALL) draws from that same sequence, so dropping the
 * live table would fail ("other objects depend on it"). Before the drop, the
 * sequence becomes the shadow's, which then takes over the live name.
 */
async function handOverOwnedSequences(tx: EntityManager, live: string, shadow: string): Promise<void> {
  const owned: { sequence: string; column: string }[] = await tx.query(
    `SELECT s.oid::regclass::text AS sequence, a.attname AS column
       FROM pg_depend d
       JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
       JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
      WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
        AND d.refobjid = $1::regclass AND d.deptype = 'a'`,
    [live],
  );
  for (const { sequence, column } of owned) {
    await tx.query(`ALTER SEQUENCE ${sequence} OWNED BY ${shadow}."${column.replace(/"/g, '""')}"`);
  }
}

/** Applies stream messages after `afterSeq` up to `endSeq` into the shadow tables; returns the last sequence applied. */
async function applyRange(
  inTransaction: (write: (tx: EntityManager) => Promise<unknown>) => Promise<unknown>,
  broker: Broker,
  projection: Projection,
  opts: ReplayOptions,
  afterSeq: number,
  endSeq: number,
  progress: (applied: number) => void,
): Promise<number> {
  if (endSeq <= afterSeq) return afterSeq;
  const consumer = await broker.js.consumers.get(streamName(opts.namespace, projection.source), {
    filter_subjects: allEventsSubject(opts.namespace, projection.source),
    deliver_policy: afterSeq === 0 ? DeliverPolicy.All : DeliverPolicy.StartSequence,
    ...(afterSeq === 0 ? {} : { opt_start_seq: afterSeq + 1 }),
  });
  const batchSize = opts.batchSize ?? 2000;
  const messages = await consumer.consume({ max_messages: batchSize });
  let batch: JsMsg[] = [];
  let last = afterSeq;
  let applied = 0;
  const flush = async () => {
    const events = batch.map((m) => decodeForProjection(m.data));
    await inTransaction((tx) => applyBatch(tx, opts.schema, projection, events, shadowTables(opts.schema), { respectDeadLetters: false, mode: 'replay' }));
    applied += batch.length;
    last = batch[batch.length - 1].seq;
    batch = [];
    progress(applied);
  };
  try {
    for await (const m of messages) {
      batch.push(m);
      const done = m.seq >= endSeq || m.info.pending === 0;
      if (batch.length >= batchSize || done) await flush();
      if (done) break;
    }
  } finally {
    await messages.close();
  }
  return last;
}
