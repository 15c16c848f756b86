import type { DataSource, EntityManager } from 'typeorm';
import { allEventsSubject, streamName, type DomainEvent } from '@ripple/contracts';
import { decodeForProjection, isForProjections } from './decode';
import type { Broker } from '@ripple/messaging';
import { applyBatch, checkpointUpsert, projectionLockKey, shadowTables } from './apply-batch';
import { checkpointTable, type Projection, type ReplayFold, type TableMap } from './projection';
import { createShadowOf, qualify } from './schema';
import { readStream, type StreamRange } from './stream-reader';
import { swapInShadows, withBoundedLockWait } from './swap';

export interface ReplayProgress {
  projection: string;
  phase: 'rebuilding' | 'catching-up' | 'swapped';
  applied: number;
  total: number;
}

export interface ReplayOptions {
  schema: string;
  namespace: string;
  /**
   * Events per transaction into the shadow tables (default 100,000; a batch also closes at
   * 64 MiB of messages). No live reader waits on the shadows, and the larger the batch, the
   * more of an aggregate's events are folded into one row write. A projection's fold
   * (`replayFold`) holds no events, only one state per aggregate, so it is not cut into batches:
   * it writes once, when the range ends or when it holds `foldLimit` aggregates, and reports
   * its progress every `batchSize` events folded.
   */
  batchSize?: number;
  /**
   * Aggregates a projection's fold (`replayFold`) may hold in memory (default 100,000). Once it
   * holds that many, the rebuild writes what the fold holds and goes on with batches held for
   * `apply`, which read their records back from the shadows.
   */
  foldLimit?: number;
  onProgress?: (p: ReplayProgress) => void;
  /**
   * A range of the stream of fewer sequences than this is read on the replay's own thread, a longer one
   * on a worker thread beside it (readStream; default 20,000: starting the thread costs tens of ms).
   */
  inThreadBelow?: number;
  /**
   * How long each lock of the final catch-up and swap waits before it is given up and tried
   * again (default 2 s, up to 30 times: `withBoundedLockWait`). The swap's DROP waits for the
   * live tables' readers, and every reader after it would wait behind it.
   */
  lockTimeoutMs?: number;
}

const DEFAULT_BATCH_SIZE = 100_000;
const DEFAULT_FOLD_LIMIT = 100_000;
const BATCH_BYTES = 64 * 2 ** 20;
/** Messages pulled at a time: what is read ahead of the batch being decoded. */
const READ_AHEAD = 5_000;

/**
 * Rebuilds a projection from its stream, blue/green: the events are applied
 * into `<table>__rebuild` shadows while the live tables keep serving; then, under
 * the projection's exclusive lock (live batches wait), the shadows catch up with
 * whatever arrived meanwhile and replace the live tables in one transaction.
 * Checkpoints are rebuilt and swapped with the rows, so the live runner goes on
 * exactly once. Returns the stream sequence of the last message applied.
 *
 * The bulk of the rebuild is a load that nobody reads and that is thrown away if
 * anything fails (a new replay drops and recreates the shadows), so it is written
 * the cheap way: UNLOGGED shadows (no WAL, and their commits wait for no flush) in
 * large transactions, the next batch read and decoded while the previous one
 * commits. Before the swap the shadows are made LOGGED (one rewrite of the final
 * rows, WAL-logged, so they survive a crash and reach replicas like any table;
 * a live table that was itself UNLOGGED stays so); the catch-up and the swap then
 * run on ordinary tables with ordinary commits. The swapped-in tables keep the
 * live ones' index and constraint names.
 */
export async function replayProjection(dataSource: DataSource, broker: Broker, projection: Projection, opts: ReplayOptions): Promise<number> {
  const tables = [...projection.tables, checkpointTable(projection.name)];
  const shadow = shadowTables(opts.schema);
  const unloggedLive = new Set<string>();
  // The shadows are made while the stream is read: nothing is written into them before the first batch is read.
  const shadowsMade = dataSource.transaction(async (tx) => {
    for (const t of tables) if ((await createShadowOf(tx, qualify(opts.schema, t), shadow(t))).unlogged) unloggedLive.add(t);
  });
  // Awaited below, and by the first write; a read that fails first must not leave its failure unhandled.
  shadowsMade.catch(() => undefined);
  const stream = streamName(opts.namespace, projection.source);
  const { config, state } = await broker.jsm.streams.info(stream);
  const total = state.last_seq;
  // A filter that is the stream's only subject selects every message, yet nats-server 2.9 counts a new
  // consumer's pending messages by scanning the stream for it (12-27 ms at 100,000 messages, against
  // 1 ms without one): the range is then read unfiltered.
  const events = allEventsSubject(opts.namespace, projection.source);
  const read = { stream, filterSubject: config.subjects?.length === 1 && config.subjects[0] === events ? undefined : events };
  const report = (phase: ReplayProgress['phase'], applied: number, upTo: number) =>
    opts.onProgress?.({ projection: projection.name, phase, applied, total: upTo });

  // The shadows start empty, so a projection with a fold rebuilds them with it; the catch-up applies batches.
  let lastSeq = await applyRange((write) => shadowsMade.then(() => dataSource.transaction(write)), broker, read, projection, opts, 0, total, (n) => report('rebuilding', n, total), { shadowsEmpty: true });
  await shadowsMade;
  // Outside the lock, so live batches keep flowing meanwhile. SET LOGGED rewrites each shadow
  // once (seconds for millions of rows), keeping only the live row versions of the bulk load;
  // ANALYZE gives the tables-to-be their planner statistics. Each table on a connection of its
  // own, so the rewrites run side by side.
  await Promise.all(tables.map(async (t) => {
    if (!unloggedLive.has(t)) await dataSource.query(`ALTER TABLE ${shadow(t)} SET LOGGED`);
    await dataSource.query(`ANALYZE ${shadow(t)}`);
  }));
  // An attempt whose lock was not granted in time rolled its catch-up back with it: the next one starts where the bulk load ended.
  const caughtUpFrom = lastSeq;
  lastSeq = await withBoundedLockWait(dataSource, { what: `${projection.name}: ${opts.schema}`, lockTimeoutMs: opts.lockTimeoutMs }, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [projectionLockKey(opts.schema, projection.name)]);
    const end = (await broker.jsm.streams.info(stream)).state.last_seq;
    const upTo = await applyRange((write) => write(tx), broker, read, projection, opts, caughtUpFrom, end, (n) => report('catching-up', n, end));
    await swapInShadows(tx, opts.schema, tables.map((t) => ({ live: qualify(opts.schema, t), shadow: shadow(t), name: t })));
    return upTo;
  });
  report('swapped', lastSeq, lastSeq);
  return lastSeq;
}

/**
 * Applies stream messages after `afterSeq` up to `endSeq` (or the end of the
 * stream, if it comes first) into the shadow tables, in batches of `batchSize`,
 * one transaction each (a fold: once, see ReplayOptions.batchSize); returns the last sequence applied.
 *
 * Reading is pipelined with writing: while a batch is being written, the next
 * one is read and decoded, and at most one batch is written at a time (they
 * commit in stream order). A long range of the stream is read on a worker thread
 * (readStream), so the NATS client's work per message runs on another core than
 * the decoding and folding here; a short one, such as a catch-up, on this thread. Memory stays bounded by two batches plus what
 * the reader holds ahead (READ_AHEAD messages pulled, a few chunks of about a
 * MiB); with a fold, by one state per aggregate, up to `foldLimit`, instead of the batches.
 */
async function applyRange(
  inTransaction: InTransaction,
  broker: Broker,
  read: Pick<StreamRange, 'stream' | 'filterSubject'>,
  projection: Projection,
  opts: ReplayOptions,
  afterSeq: number,
  endSeq: number,
  progress: (applied: number) => void,
  { shadowsEmpty = false } = {},
): Promise<number> {
  if (endSeq <= afterSeq) return afterSeq;
  const batchSize = Math.max(1, opts.batchSize ?? DEFAULT_BATCH_SIZE);
  const tables = shadowTables(opts.schema);
  // Only empty shadows can be rebuilt by a fold that starts from nothing.
  const fold = shadowsEmpty ? projection.replayFold?.() : undefined;
  const held = () => heldBatch(opts.schema, projection, tables);
  let batch = fold ? foldedBatch(fold, tables(checkpointTable(projection.name)), tables, opts.foldLimit ?? DEFAULT_FOLD_LIMIT) : held();
  let last = afterSeq;
  let applied = 0;
  let writing: Promise<void> | undefined;
  let failed: { error: unknown } | undefined;
  const write = (writeBatch: BatchWrite, events: number, lastSeq: number) => {
    writing = writeBatch(inTransaction).then(() => {
      applied += events;
      last = lastSeq;
      progress(applied);
    });
    // Seen by the reading loop at its next message, not only when the next batch is full.
    writing.catch((error) => (failed ??= { error }));
  };

  let events = 0;
  let bytes = 0;
  const chunks = readStream(broker, {
    ...read,
    afterSeq,
    endSeq,
    readAhead: READ_AHEAD,
  }, { inThreadBelow: opts.inThreadBelow });
  try {
    for await (const chunk of chunks) {
      let at = 0;
      for (let i = 0; i < chunk.lengths.length; i++) {
        if (failed) throw failed.error;
        const data = chunk.bytes.subarray(at, (at += chunk.lengths[i]));
        batch.add(decodeForProjection(data));
        events++;
        bytes += data.length;
        const done = chunk.done && i === chunk.lengths.length - 1;
        const full = batch.full?.();
        if (full === undefined ? events >= batchSize || bytes >= BATCH_BYTES || done : full || done) {
          await writing;
          write(batch.take(), events, chunk.seqs[i]);
          if (full) batch = held();
          events = 0;
          bytes = 0;
        } else if (full === false && events % batchSize === 0) {
          // A fold writes once, at its end: until then, every batchSize events it folds are its progress.
          progress(applied + events);
        }
      }
    }
    await writing;
  } finally {
    await writing?.catch(() => undefined);
  }
  return last;
}

/** Runs a write in a transaction: its own, or the one the caller holds. */
type InTransaction = (write: (tx: EntityManager) => Promise<unknown>) => Promise<unknown>;
/** A batch's write, given how to run its transactions. */
type BatchWrite = (inTransaction: InTransaction) => Promise<unknown>;

/** The events read since the last batch, and the write of what they hold. */
interface ReplayBatch {
  add(event: DomainEvent): void;
  /** The write of everything added since the last take. */
  take(): BatchWrite;
  /** True once it holds as much as it may: the batches after the last take are held ones. */
  full?(): boolean;
}

/** Holds the batch's events and applies them with the projection's `apply` (applyBatch), in one transaction. */
function heldBatch(schema: string, projection: Projection, tables: TableMap): ReplayBatch {
  let events: DomainEvent[] = [];
  return {
    add: (event) => events.push(event),
    take() {
      const taken = events;
      events = [];
      return (inTransaction) => inTransaction((tx) => applyBatch(tx, schema, projection, taken, tables, { respectDeadLetters: false, mode: 'replay' }));
    },
  };
}

/**
 * Folds each event as it is read (Projection.replayFold), so that no decoded event outlives
 * its fold, and writes the rows and checkpoints that moved since the last batch. Which
 * events are applied follows planBatch from empty checkpoints, as applyBatch would decide
 * in the shadows: the next version of its aggregate is applied (an unknown type only moves
 * the checkpoint); a version already applied, or one past a missing version, is not.
 */
function foldedBatch(fold: ReplayFold, cpTable: string, tables: TableMap, limit: number): ReplayBatch {
  const versions = new Map<string, number>();
  let moved = new Map<string, { version: number; eventId: string }>();
  return {
    add(event) {
      if (event.aggregateVersion !== (versions.get(event.aggregateId) ?? 0) + 1) return;
      versions.set(event.aggregateId, event.aggregateVersion);
      moved.set(event.aggregateId, { version: event.aggregateVersion, eventId: event.id });
      if (isForProjections(event)) fold.add(event);
    },
    take() {
      const statements = moved.size > 0 ? [...fold.flush(tables), checkpointUpsert(cpTable, moved)] : [];
      moved = new Map();
      // Each statement in a transaction of its own, side by side (PostgreSQL writes the rows and the
      // checkpoints on two cores): nothing reads the shadows before this write has ended, and a rebuild
      // that fails is thrown away. Every statement has ended before the write does.
      return async (inTransaction) => {
        const done = await Promise.allSettled(statements.map(({ text, values }) => inTransaction((tx) => tx.query(text, values ? [...values] : undefined))));
        const failed = done.find((d): d is PromiseRejectedResult => d.status === 'rejected');
        if (failed) throw failed.reason;
      };
    },
    full: () => versions.size >= limit,
  };
}
