import type { DataSource, EntityManager } from 'typeorm';
import type { DomainEvent } from '@ripple/contracts';
import { planBatch, type Outcome } from './batch-plan';
import { batchTransaction } from './batch-transaction';
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
 * statements the projection runs itself. `within` writes more in the
 * transaction once the outcomes are known.
 */
export function applyBatchAlone(
  dataSource: DataSource,
  schema: string,
  projection: Projection,
  events: DomainEvent[],
  opts: BatchOptions,
  within?: (tx: EntityManager, outcomes: Outcome[]) => Promise<void>,
): Promise<Outcome[]> {
  const batch = new BatchStatements(schema, projection, events, liveTables(schema), opts);
  return batchTransaction(dataSource, batch.opening, async (tx, opened) => {
    opts.opened?.();
    const outcomes = await batch.apply(tx, opened);
    await within?.(tx, outcomes);
    return { result: outcomes, closing: batch.closing };
  });
}

export interface BatchOptions {
  respectDeadLetters: boolean;
  mode: ApplyMode;
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
      // Every lock in one statement. Two live appliers of one aggregate (a deposed leader's
      // last batch, a dead-letter retry) serialize on the per-aggregate locks, so the second
      // sees the first's checkpoint; they are taken in sorted order to avoid deadlocks.
      // The projection's own locks come last (the order every applier uses).
      {
        text: `SELECT pg_advisory_xact_lock_shared(hashtext($1)),
         (SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT hashtext($2 || a) AS k FROM unnest($3::text[]) AS a ORDER BY 1) AS sorted),
         (SELECT count(pg_advisory_xact_lock(hashtext(l))) FROM (SELECT l FROM unnest($4::text[]) WITH ORDINALITY AS x(l, i) ORDER BY i) AS own)`,
        values: [projectionLockKey(schema, projection.name), `${projection.name}:`, opts.mode === 'live' ? ids : [], projection.locks ?? []],
      },
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

export const liveTables = (schema: string): TableMap => (table) => qualify(schema, table);
export const shadowTables = (schema: string): TableMap => (table) => qualify(schema, `${table}__rebuild`);
