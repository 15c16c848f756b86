import type { DataSource, EntityManager } from 'typeorm';
import type { DomainEvent } from '@ripple/contracts';
import { planBatch, type Outcome } from './batch-plan';
import { batchTransaction, oneTripTransaction } from './batch-transaction';
import { isForProjections } from './decode';
import { checkpointTable, type ApplyMode, type DeferredWrite, type Projection, type Statement, type StatementRows, type TableMap } from './projection';
import { qualify } from './schema';

export const projectionLockKey = (schema: string, projection: string) => `ripple-projection:${schema}:${projection}`;

/**
 * Applies a batch exactly once inside `tx`: reads the checkpoints of the batch's
 * aggregates, lets the projection write the events that are next in line, and
 * moves the checkpoints in the same transaction. A shared advisory lock lets a
 * replay swap tables only between batches.
 */
export async function applyBatch(
  tx: EntityManager,
  schema: string,
  projection: Projection,
  events: DomainEvent[],
  tables: TableMap,
  opts: BatchOptions,
): Promise<Outcome[]> {
  const batch = new BatchStatements(schema, projection, events, tables, opts);
  const opened: StatementRows = [];
  for (const { text, values } of batch.opening) opened.push(await tx.query(text, values ? [...values] : undefined));
  const outcomes = await batch.apply(tx, opened);
  for (const write of batch.closing) {
    const rows = await tx.query(write.text, write.values ? [...write.values] : undefined);
    write.returned?.(rows);
  }
  return outcomes;
}

/**
 * The same in a transaction of its own, with the fewest round trips: BEGIN goes
 * with the locks and the checkpoint read, COMMIT with the projection's deferred
 * writes and the checkpoint upsert, so a batch costs two round trips plus the
 * statements the projection runs itself (one, for a batch the projection can
 * decide unread: see applyInOneTrip). `within` writes more in the
 * transaction once the outcomes are known, for outcomes other than `apply`
 * (the runner parks a blocked event there): a batch sent in one round trip has
 * none, and does not call it.
 */
export async function applyBatchAlone(
  dataSource: DataSource,
  schema: string,
  projection: Projection,
  events: DomainEvent[],
  opts: BatchOptions,
  within?: (tx: EntityManager, outcomes: Outcome[]) => Promise<void>,
): Promise<Outcome[]> {
  if (projection.speculate && opts.mode === 'live' && opts.oneTrip !== false) {
    const tried = await applyInOneTrip(dataSource, schema, projection, events, opts);
    if (Array.isArray(tried)) {
      opts.took?.('one_trip');
      return tried;
    }
    if (tried === 'check failed') opts.took?.('check_failed');
  }
  opts.took?.('usual');
  const batch = new BatchStatements(schema, projection, events, liveTables(schema), opts);
  return batchTransaction(dataSource, batch.opening, async (tx, opened) => {
    opts.opened?.();
    const outcomes = await batch.apply(tx, opened);
    await within?.(tx, outcomes);
    return { result: outcomes, closing: batch.closing };
  });
}

/**
 * A live batch in one round trip, for a projection that can decide its writes without
 * reading first (`Projection.speculate`): it assumes every event is next in line for its
 * aggregate (none applied yet, none missing before it, none parked behind a dead letter),
 * which is what a live runner meets almost always, and sends BEGIN, the locks, a check of
 * that assumption and of the projection's own (`holds`), the writes, the checkpoints and
 * COMMIT at once. When a check fails the transaction is rolled back and the caller applies
 * the batch as usual, which also decides what it holds instead: a duplicate, a
 * gap, a dead letter's turn ('check failed'). Nothing is sent when the batch cannot be all
 * next in line (its versions of one aggregate skip), or the projection declines ('declined').
 */
async function applyInOneTrip(dataSource: DataSource, schema: string, projection: Projection, events: DomainEvent[], opts: BatchOptions): Promise<Outcome[] | 'declined' | 'check failed'> {
  const checkpoints = new Map<string, { version: number; eventId: string }>();
  const expected = new Map<string, number>();
  for (const e of events) {
    const last = checkpoints.get(e.aggregateId);
    if (last && e.aggregateVersion !== last.version + 1) return 'declined';
    if (!last) expected.set(e.aggregateId, e.aggregateVersion - 1);
    checkpoints.set(e.aggregateId, { version: e.aggregateVersion, eventId: e.id });
  }
  const tables = liveTables(schema);
  const cpTable = tables(checkpointTable(projection.name));
  const known = events.filter(isForProjections);
  const ids = [...expected.keys()];
  const done = await oneTripTransaction(dataSource, (tx) => {
    const speculation = known.length > 0 ? projection.speculate!(tx, known, tables) : { writes: [] };
    if (!speculation) return undefined;
    const nextInLine = `NOT EXISTS (SELECT 1 FROM unnest($1::text[], $2::int[]) AS a(id, applied) LEFT JOIN ${cpTable} cp ON cp.aggregate_id = a.id
        WHERE coalesce(cp.version, 0) <> a.applied)${opts.respectDeadLetters
      ? ` AND NOT EXISTS (SELECT 1 FROM ${qualify(schema, 'dead_letters')} d WHERE d.projection = $3 AND d.status = 'open' AND d.aggregate_id = ANY($1::text[]))`
      : ''}`;
    const checks = [
      assertion({ text: nextInLine, values: opts.respectDeadLetters ? [ids, [...expected.values()], projection.name] : [ids, [...expected.values()]] }),
      ...(speculation.holds ? [assertion(speculation.holds)] : []),
    ];
    return [locksStatement(schema, projection, ids, 'live'), ...checks, ...speculation.writes, checkpointUpsert(cpTable, checkpoints)];
  });
  if (done !== 'committed') return done;
  opts.opened?.();
  return events.map(() => 'apply');
}

/**
 * A statement that fails, rolling its transaction back, unless `condition` (an SQL boolean
 * expression and its values) holds. The failing branch must not be constant: PostgreSQL
 * folds constant expressions while planning, and would fail every time.
 */
const assertion = (condition: Statement): Statement => ({
  text: `SELECT CASE WHEN ${condition.text} THEN 0 ELSE ('ripple: a speculative batch found the database changed at ' || clock_timestamp())::int END`,
  values: condition.values,
});

export type BatchPath = 'one_trip' | 'check_failed' | 'usual';

export interface BatchOptions {
  respectDeadLetters: boolean;
  mode: ApplyMode;
  /** False: never in one round trip, even for a projection that can speculate (see applyInOneTrip). */
  oneTrip?: boolean;
  /**
   * Told how the batch went: `one_trip` (sent and committed in one round trip), `check_failed`
   * (sent so, but what it assumed did not hold: rolled back, then applied as usual), `usual`
   * (two round trips; after a failed check too).
   */
  took?: (path: BatchPath) => void;
  /** Called once the opening statements have run: the batch holds its aggregates' locks and has read their checkpoints. */
  opened?: () => void;
}

/**
 * A batch's statements around the projection's own: the locks, then the
 * checkpoint read (`opening`, in that order, as separate statements), and the
 * projection's deferred writes and the checkpoint upsert (`closing`, once the
 * batch is planned).
 */
class BatchStatements {
  readonly opening: Statement[];
  closing: DeferredWrite[] = [];
  private readonly cpTable: string;

  constructor(
    private readonly schema: string,
    private readonly projection: Projection,
    private readonly events: DomainEvent[],
    private readonly tables: TableMap,
    private readonly opts: BatchOptions,
  ) {
    const ids = [...new Set(events.map((e) => e.aggregateId))];
    this.cpTable = tables(checkpointTable(projection.name));
    this.opening = [
      locksStatement(schema, projection, ids, opts.mode),
      // The checkpoints, read by the NEXT statement: a statement's snapshot is taken before
      // its locks, so reading them in the locking one could miss a checkpoint the lock's last
      // holder committed.
      {
        text: `SELECT a.id AS aggregate_id, cp.version, ${opts.respectDeadLetters
          ? `EXISTS (SELECT 1 FROM ${qualify(schema, 'dead_letters')} d WHERE d.projection = $2 AND d.status = 'open' AND d.aggregate_id = a.id)`
          : 'false'} AS blocked
         FROM unnest($1::text[]) AS a(id) LEFT JOIN ${this.cpTable} cp ON cp.aggregate_id = a.id`,
        values: opts.respectDeadLetters ? [ids, projection.name] : [ids],
      },
      // What the projection reads first, in the same round trip.
      ...(projection.reads?.(events, tables) ?? []),
    ];
  }

  /** Plans the batch from what `opening` read, and lets the projection write what is next in line. */
  async apply(tx: EntityManager, opened: StatementRows): Promise<Outcome[]> {
    const rows = opened[1] as { aggregate_id: string; version: number | null; blocked: boolean }[];
    const applied = new Map(rows.filter((r) => r.version !== null).map((r) => [r.aggregate_id, r.version!]));
    const blocked = new Set(rows.filter((r) => r.blocked).map((r) => r.aggregate_id));
    const plan = planBatch(this.events, applied, blocked);
    if (plan.toApply.length > 0) {
      const known = plan.toApply.filter(isForProjections);
      const deferred = known.length > 0 ? await this.projection.apply(tx, known, this.tables, this.opts.mode, opened.slice(2)) : undefined;
      this.closing = [...(deferred ?? []), checkpointUpsert(this.cpTable, plan.checkpoints)];
    }
    return plan.outcomes;
  }
}

/** The upsert that moves each aggregate's checkpoint in `cpTable` (qualified) to the version given. */
export function checkpointUpsert(cpTable: string, checkpoints: ReadonlyMap<string, { version: number; eventId: string }>): Statement {
  const cps = [...checkpoints.entries()];
  return {
    text: `INSERT INTO ${cpTable} (aggregate_id, version, event_id)
      SELECT * FROM unnest($1::text[], $2::int[], $3::uuid[])
      ON CONFLICT (aggregate_id) DO UPDATE SET version = EXCLUDED.version, event_id = EXCLUDED.event_id, applied_at = now()`,
    values: [cps.map(([id]) => id), cps.map(([, c]) => c.version), cps.map(([, c]) => c.eventId)],
  };
}

/**
 * Every lock of a batch in one statement. Two live appliers of one aggregate (a deposed
 * leader's last batch, a dead-letter retry) serialize on the per-aggregate locks, so the
 * second sees the first's checkpoint; they are taken in sorted order to avoid deadlocks.
 * The projection's own locks come last (the order every applier uses).
 */
function locksStatement(schema: string, projection: Projection, ids: string[], mode: ApplyMode): Statement {
  return {
    text: `SELECT pg_advisory_xact_lock_shared(hashtext($1)),
     (SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT hashtext($2 || a) AS k FROM unnest($3::text[]) AS a ORDER BY 1) AS sorted),
     (SELECT count(pg_advisory_xact_lock(hashtext(l))) FROM (SELECT l FROM unnest($4::text[]) WITH ORDINALITY AS x(l, i) ORDER BY i) AS own)`,
    values: [projectionLockKey(schema, projection.name), `${projection.name}:`, mode === 'live' ? ids : [], projection.locks ?? []],
  };
}

export const liveTables = (schema: string): TableMap => (table) => qualify(schema, table);
export const shadowTables = (schema: string): TableMap => (table) => qualify(schema, `${table}__rebuild`);
