import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import { isDataSource } from './prepared';
import { quoteIdent } from './schema';

const PENDING = 'rippleNotifyAfterCommit';
const subscribed = new WeakSet<DataSource>();

/**
 * A listener in this process that can take a wake-up directly: returns true if
 * it did and no other process needs to hear of it (e.g. the active outbox relay:
 * standbys ignore wake-ups). `local` is what the committed transaction handed
 * to this process's listeners (see notifyAfterCommit), in the order given.
 */
export type LocalWake = (local: readonly unknown[]) => boolean;
const localWakes = new Map<string, Set<LocalWake>>();

/** Lets `channel`'s wake-ups reach `wake` in-process first; returns the function that undoes it. */
export function wakeLocally(channel: string, wake: LocalWake): () => void {
  const wakes = localWakes.get(channel) ?? localWakes.set(channel, new Set()).get(channel)!;
  wakes.add(wake);
  return () => void wakes.delete(wake);
}

/** True if a listener in this process took the wake-up and nobody else needs it. Every listener hears it. */
const tookLocally = (channel: string, local: readonly unknown[]) => {
  let took = false;
  for (const wake of localWakes.get(channel) ?? []) took = wake(local) || took;
  return took;
};

/**
 * Wakes the LISTENers of `channel` once the data `db` wrote is committed: at
 * once in autocommit, after COMMIT inside a transaction (nothing on rollback).
 *
 * Why not NOTIFY inside the data transaction: PostgreSQL serializes every
 * committing transaction that issued a NOTIFY on one database-wide lock, held
 * through its WAL flush, so concurrent commits that notify stop sharing flushes
 * (measured here, 8 writers: 3,000 commits/s without NOTIFY, 700–1,300 with it).
 * The notification goes instead in a transaction of its own that carries no data
 * and does not wait for its WAL flush (`synchronous_commit = off`, for that
 * transaction only). It is a wake-up, never the data: a listener reads the
 * database, and its fallback poll covers a notification lost with a crash.
 * A listener in this process that takes the wake-up itself (wakeLocally) spares
 * the round trip; wake-ups sent while one is in flight are folded into one more.
 */
export function notifyAfterCommit(db: EntityManager | DataSource, channel: string, payload: string, local?: unknown): void {
  const dataSource = isDataSource(db) ? db : db.connection;
  const qr = isDataSource(db) ? undefined : db.queryRunner;
  if (!qr?.isTransactionActive) return wake(dataSource, channel, payload, local === undefined ? [] : [local]);
  if (!subscribed.has(dataSource)) {
    subscribed.add(dataSource);
    dataSource.subscribers.push(new AfterCommit());
  }
  const pending: Map<string, Pending> = (qr.data[PENDING] ??= new Map());
  const entry = pending.get(channel) ?? pending.set(channel, { payload, local: [] }).get(channel)!;
  entry.payload = payload;
  if (local !== undefined) entry.local.push(local);
}

/** A transaction's wake-up for one channel: the last payload given, and everything handed to local listeners. */
interface Pending {
  payload: string;
  local: unknown[];
}

/** Sends what a transaction asked for once its outermost COMMIT is done; drops it on rollback. */
class AfterCommit implements EntitySubscriberInterface {
  afterTransactionCommit({ queryRunner }: { queryRunner: QueryRunner }): void {
    if (queryRunner.isTransactionActive) return;
    const pending: Map<string, Pending> | undefined = queryRunner.data[PENDING];
    if (!pending) return;
    delete queryRunner.data[PENDING];
    for (const [channel, { payload, local }] of pending) wake(queryRunner.connection, channel, payload, local);
  }

  afterTransactionRollback({ queryRunner }: { queryRunner: QueryRunner }): void {
    if (!queryRunner.isTransactionActive) delete queryRunner.data[PENDING];
  }
}

/** Per data source and channel: a NOTIFY in flight, and the payload of one more to send after it. */
const inFlight = new WeakMap<DataSource, Map<string, { next?: string }>>();

function wake(dataSource: DataSource, channel: string, payload: string, local: readonly unknown[]): void {
  if (!tookLocally(channel, local)) send(dataSource, channel, payload);
}

/** NOTIFY, one at a time per channel: what is asked while one is in flight goes in one more after it. */
function send(dataSource: DataSource, channel: string, payload: string): void {
  const sending = inFlight.get(dataSource) ?? inFlight.set(dataSource, new Map()).get(dataSource)!;
  const current = sending.get(channel);
  if (current) {
    current.next = payload;
    return;
  }
  const state: { next?: string } = {};
  sending.set(channel, state);
  const notify = `NOTIFY ${quoteIdent(channel)}, '${payload.replace(/'/g, "''")}'`;
  // One simple-protocol query runs as one transaction: SET LOCAL applies to it alone.
  // Not awaited by the caller: its work is committed either way, and a lost wake-up is covered by polling.
  dataSource
    .query(`SET LOCAL synchronous_commit = off; ${notify}`)
    .catch(() => undefined)
    .finally(() => {
      sending.delete(channel);
      if (state.next !== undefined) send(dataSource, channel, state.next);
    });
}
