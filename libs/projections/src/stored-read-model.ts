import type { DataSource, EntityManager } from 'typeorm';
import { parseEvent, type DomainEvent } from '@ripple/contracts';
import { LeaderLease, leaseKey, quoteIdent, rowToEnvelope, type EventRow } from '@ripple/event-store';
import { swapInShadows, withBoundedLockWait } from './swap';
import type { ReplayProgress } from './replay';
import { createShadowOf, qualify } from './schema';

/** A column of a stored read model's table, and its value in a state. */
export interface ReadModelColumn<S> {
  name: string;
  value(state: S): unknown;
}

/**
 * A table a service writes itself, in the statement (or transaction) that appends
 * the events it follows from: state stored beside an event log. One row per
 * aggregate, the fold of the aggregate's events by `evolve`, so the table can be
 * rebuilt from the service's own event store (`rebuildFromEventStore`). The
 * command path must compute its rows with the same `evolve` and write them with
 * the same `columns`, or the two drift apart.
 */
export interface StoredReadModel<S = any> {
  /** What operators replay it by ("users"); unique among the service's projections and read models. */
  name: string;
  /** The event store's aggregate types whose streams are folded, one row per stream. */
  aggregateTypes: readonly string[];
  /** The live table, unqualified, in the service's schema. */
  table: string;
  /** The fold: a state from the previous one (none for the stream's first event) and the next event. */
  evolve(state: S | undefined, event: DomainEvent): S;
  /**
   * Every column of the table and its value in a state (a rebuild refuses a table with a
   * column not listed: it would not derive from events). Among them `id`, the aggregate id
   * (the table's primary key), and `version`, the aggregate version of the last event folded.
   */
  columns: readonly ReadModelColumn<S>[];
  /** A state from a row of the table. */
  fromRow(row: Record<string, unknown>): S;
}

export interface RebuildOptions {
  schema: string;
  /** Events read and folded at a time during the bulk load (default 10,000). */
  batchSize?: number;
  /**
   * States the bulk load may hold in memory before it writes them (default 100,000): it writes
   * them once, at its end, unless it holds this many before.
   */
  holdLimit?: number;
  onProgress?: (p: ReplayProgress) => void;
  /**
   * How long the swap waits for its lock before it lets the table's writers through and tries
   * again (default 2 s, up to 30 times: `withBoundedLockWait`). Writers queue behind a LOCK TABLE that waits,
   * so while a long transaction holds the table every writer would wait with it, each holding a
   * connection of its app's pool.
   */
  lockTimeoutMs?: number;
}

const DEFAULT_BATCH_SIZE = 10_000;
const DEFAULT_HOLD_LIMIT = 100_000;

/** A state's values in the order of the model's columns (the command path writes its row with them). */
export const readModelValues = <S>(model: StoredReadModel<S>, state: S): unknown[] => model.columns.map((c) => c.value(state));

/**
 * Rebuilds a stored read model from the service's event store, blue/green: the
 * streams are folded, in position order, into `<table>__rebuild` (UNLOGGED during
 * the bulk load, LOGGED before it goes live) while the live table keeps serving;
 * then the shadow catches up with what committed meanwhile, once without a lock and
 * once under `LOCK TABLE <table> IN EXCLUSIVE MODE` (readers go on, writers wait),
 * and replaces the live table in that same transaction, keeping its index and
 * constraint names; a lock not granted within `lockTimeoutMs` is given up and tried
 * again after a catch-up. Returns the number of events folded into the rebuilt table.
 *
 * The catch-ups compare every row's `version` with the shadow's (a full join on
 * `id`) and fold again, from their first event, the aggregates whose versions
 * differ. Under the lock that is exact, whatever the order events committed in
 * (an event whose position the bulk load had already passed included): the
 * command path writes the row in the transaction that appends its events, so a
 * committed event is in its live row's version, and a command that had not
 * committed before the lock writes its row after the swap, into the new table.
 * That holds as long as every writer of the table locks it no later than it
 * appends its events (a statement is blocked at the lock before it writes
 * anything and, once the table is swapped, resolves its name again and writes
 * into the new one); a writer that appended first and then waited would still
 * land its row in the new table, after the swap.
 *
 * Under the lock, a stream whose versions skip one, or whose fold does not reach
 * its live row's version, fails the rebuild (the live table stays as it was): the
 * live row would not be the fold of its events.
 */
export async function rebuildFromEventStore<S>(dataSource: DataSource, model: StoredReadModel<S>, opts: RebuildOptions): Promise<number> {
  // One rebuild of a table at a time, whichever process runs it (they would drop each other's
  // shadow): a lease, let go with its connection if the process dies.
  const lease = new LeaderLease({ databaseUrl: (dataSource.options as { url: string }).url, key: leaseKey('read-model-rebuild', `${opts.schema}.${model.table}`) });
  try {
    if (!(await lease.tryAcquire())) throw new Error(`${model.name}: a rebuild of ${opts.schema}.${model.table} is already running`);
    return await rebuild(dataSource, model, opts);
  } finally {
    await lease.release();
  }
}

async function rebuild<S>(dataSource: DataSource, model: StoredReadModel<S>, opts: RebuildOptions): Promise<number> {
  const live = qualify(opts.schema, model.table);
  const shadow = qualify(opts.schema, `${model.table}__rebuild`);
  const events = qualify(opts.schema, 'events');
  const types = [...model.aggregateTypes];
  const batchSize = Math.max(1, opts.batchSize ?? DEFAULT_BATCH_SIZE);
  const report = (phase: ReplayProgress['phase'], applied: number, total: number) =>
    opts.onProgress?.({ projection: model.name, phase, applied, total: Math.max(applied, total) });

  const { columnTypes, unlogged } = await dataSource.transaction(async (tx) => {
    const columnTypes = await checkColumns(tx, model, live);
    return { columnTypes, ...(await createShadowOf(tx, live, shadow)) };
  });
  const idType = columnTypes.get('id')!;
  const versionColumn = model.columns.find((c) => c.name === 'version')!;
  const idColumn = model.columns.find((c) => c.name === 'id')!;
  const versionOf = (state: S) => Number(versionColumn.value(state));
  const idOf = (state: S) => String(idColumn.value(state));
  const names = model.columns.map((c) => quoteIdent(c.name));
  const upsert = `INSERT INTO ${shadow} (${names.join(', ')})
    SELECT * FROM unnest(${model.columns.map((c, i) => `$${i + 1}::${columnTypes.get(c.name)}[]`).join(', ')})
    ON CONFLICT (id) DO UPDATE SET ${names.filter((n) => n !== '"id"').map((n) => `${n} = EXCLUDED.${n}`).join(', ')}`;
  const write = async (q: EntityManager | DataSource, states: S[]) => {
    if (states.length) await q.query(upsert, model.columns.map((c) => states.map((s) => c.value(s))));
  };

  /**
   * The aggregates' states from their first events on, in the event store's view now. A
   * stream whose versions skip one stops before the gap (`strict`: fails), and an
   * aggregate without events has no state.
   */
  const foldStreams = async (q: EntityManager | DataSource, ids: string[], strict: boolean): Promise<Map<string, S>> => {
    const rows: EventRow[] = await q.query(
      `SELECT * FROM ${events} WHERE stream_id = ANY($1::text[]) AND aggregate_type = ANY($2::text[]) ORDER BY stream_id, version`, [ids, types]);
    const states = new Map<string, S>();
    const stopped = new Set<string>();
    for (const row of rows) {
      const e = parseEvent(rowToEnvelope(row));
      if (stopped.has(e.aggregateId)) continue;
      const state = states.get(e.aggregateId);
      const at = state === undefined ? 0 : versionOf(state);
      if (e.aggregateVersion !== at + 1) {
        if (strict) throw new Error(`${model.name}: the events of ${e.aggregateId} skip from version ${at} to ${e.aggregateVersion}`);
        stopped.add(e.aggregateId);
        continue;
      }
      states.set(e.aggregateId, model.evolve(state, e));
    }
    return states;
  };

  // The bulk load: the events up to the last position committed now, in position order,
  // each batch folded onto the states held in memory, or onto the rows the shadow holds for the
  // others. An event that commits after the load passed its position is missing from it, and the
  // catch-ups find its row behind (the stream's next event cannot be in the load: it was appended
  // after that one committed). Should a stream in the load skip a version all the same, it is
  // folded again from its start. The states are written when the load ends, or when `holdLimit`
  // are held (then the shadow holds them, and later batches read those users' rows back): written
  // at every batch instead, each user's row was read and written once per batch it had events in.
  const [{ total, last }] = await dataSource.query(
    `SELECT count(*)::int AS total, coalesce(max(position), 0)::text AS last FROM ${events} WHERE aggregate_type = ANY($1::text[])`, [types]);
  const holdLimit = Math.max(1, opts.holdLimit ?? DEFAULT_HOLD_LIMIT);
  let held = new Map<string, S>();
  let shadowHoldsRows = false;
  let after = '0';
  let applied = 0;
  report('rebuilding', 0, total);
  for (;;) {
    const rows: (EventRow & { position: string })[] = await dataSource.query(
      `SELECT * FROM ${events} WHERE position > $1 AND position <= $2 AND aggregate_type = ANY($3::text[]) ORDER BY position LIMIT $4`,
      [after, last, types, batchSize]);
    if (rows.length === 0) break;
    after = rows[rows.length - 1].position;
    const batch = rows.map((r) => parseEvent(rowToEnvelope(r)));
    const current = new Map<string, S>();
    const unheld = shadowHoldsRows ? [...new Set(batch.map((e) => e.aggregateId))].filter((id) => !held.has(id)) : [];
    if (unheld.length) {
      for (const r of await dataSource.query(`SELECT * FROM ${shadow} WHERE id = ANY($1::${idType}[])`, [unheld])) {
        const s = model.fromRow(r);
        current.set(idOf(s), s);
      }
    }
    const skipped = new Set<string>();
    for (const e of batch) {
      if (skipped.has(e.aggregateId)) continue;
      const state = held.get(e.aggregateId) ?? current.get(e.aggregateId);
      const at = state === undefined ? 0 : versionOf(state);
      if (e.aggregateVersion <= at) continue;
      if (e.aggregateVersion !== at + 1) skipped.add(e.aggregateId);
      else held.set(e.aggregateId, model.evolve(state, e));
    }
    if (skipped.size) for (const [id, s] of await foldStreams(dataSource, [...skipped], false)) held.set(id, s);
    applied += rows.length;
    if (held.size >= holdLimit) {
      await write(dataSource, [...held.values()]);
      held = new Map();
      shadowHoldsRows = true;
    }
    report('rebuilding', applied, total);
  }
  await write(dataSource, [...held.values()]);

  // Outside the lock: durable (one rewrite), with planner statistics.
  if (!unlogged) await dataSource.query(`ALTER TABLE ${shadow} SET LOGGED`);
  await dataSource.query(`ANALYZE ${shadow}`);

  /** Folds again every aggregate whose live row's version is not the shadow's. */
  const catchUp = async (q: EntityManager | DataSource, locked: boolean) => {
    const differing: { id: string; version: number | null }[] = await q.query(
      `SELECT coalesce(l.id, s.id)::text AS id, l.version FROM ${live} l FULL JOIN ${shadow} s ON s.id = l.id WHERE l.version IS DISTINCT FROM s.version`);
    let done = 0;
    report('catching-up', 0, differing.length);
    for (let i = 0; i < differing.length; i += batchSize) {
      const chunk = differing.slice(i, i + batchSize);
      const states = await foldStreams(q, chunk.map((d) => d.id), locked);
      if (locked) {
        const off = chunk.find((d) => (states.has(d.id) ? versionOf(states.get(d.id)!) : 0) !== (d.version ?? 0));
        if (off) {
          const folded = states.has(off.id) ? versionOf(states.get(off.id)!) : 0;
          throw new Error(`${model.name}: ${off.id}'s live row is at version ${off.version ?? 'none'} but its events fold to version ${folded}`);
        }
      }
      const gone = chunk.filter((d) => !states.has(d.id)).map((d) => d.id);
      if (gone.length) await q.query(`DELETE FROM ${shadow} WHERE id = ANY($1::${idType}[])`, [gone]);
      await write(q, [...states.values()]);
      done += chunk.length;
      report('catching-up', done, differing.length);
    }
  };

  // What committed during the bulk load, without holding anyone up ...
  // ... and what committed since, with the writers held off, then the swap. (A writer that read
  // the table earlier in its own transaction and writes it after the lock was granted would
  // deadlock with the swap's DROP, and PostgreSQL would end one of the two: writers write first.)
  // A lock not granted within lockTimeoutMs (a long transaction holds the table) is given up,
  // so the writers queued behind it go on; then another catch-up and another attempt.
  await withBoundedLockWait(dataSource, { what: `${model.name}: ${live}`, lockTimeoutMs: opts.lockTimeoutMs, before: () => catchUp(dataSource, false) }, async (tx) => {
    await tx.query(`LOCK TABLE ${live} IN EXCLUSIVE MODE`);
    await catchUp(tx, true);
    await swapInShadows(tx, opts.schema, [{ live, shadow, name: model.table }]);
  });
  const [{ folded }] = await dataSource.query(`SELECT coalesce(sum(version), 0)::int AS folded FROM ${live}`);
  report('swapped', folded, folded);
  return folded;
}

/**
 * The live table's columns and their types, checked against the model's: every
 * column must be one the fold gives (a column it does not would come back empty).
 */
async function checkColumns(tx: EntityManager, model: StoredReadModel, live: string): Promise<Map<string, string>> {
  const rows: { name: string; type: string }[] = await tx.query(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [live],
  );
  const types = new Map(rows.map((r) => [r.name, r.type]));
  const given = new Set(model.columns.map((c) => c.name));
  const notDerived = rows.filter((r) => !given.has(r.name)).map((r) => r.name);
  if (notDerived.length) throw new Error(`${model.name}: ${live} has columns the fold of its events does not give: ${notDerived.join(', ')}`);
  const unknown = model.columns.filter((c) => !types.has(c.name)).map((c) => c.name);
  if (unknown.length) throw new Error(`${model.name}: ${live} has no column ${unknown.join(', ')}`);
  for (const required of ['id', 'version']) if (!given.has(required)) throw new Error(`${model.name}: a stored read model needs an "${required}" column`);
  return types;
}
