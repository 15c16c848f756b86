import type { EntityManager } from 'typeorm';
import type { DomainEvent } from '@ripple/contracts';
import { planBatch, type Outcome } from './batch-plan';
import { isForProjections } from './decode';
import { checkpointTable, type ApplyMode, type Projection, type TableMap } from './projection';
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
  opts: { respectDeadLetters: boolean; mode: ApplyMode },
): Promise<Outcome[]> {
  const ids = [...new Set(events.map((e) => e.aggregateId))];
  // One statement for every lock. Two live appliers of one aggregate (a deposed leader's
  // last batch, a dead-letter retry) serialize on the per-aggregate locks, so the second
  // sees the first's checkpoint; they are taken in sorted order to avoid deadlocks.
  // The checkpoints are read by the NEXT statement: a statement's snapshot is taken before
  // its locks, so reading them here could miss a checkpoint the lock's last holder committed.
  // The projection's own locks come last (the order every applier uses).
  await tx.query(
    `SELECT pg_advisory_xact_lock_shared(hashtext($1)),
       (SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT hashtext($2 || a) AS k FROM unnest($3::text[]) AS a ORDER BY 1) AS sorted),
       (SELECT count(pg_advisory_xact_lock(hashtext(l))) FROM (SELECT l FROM unnest($4::text[]) WITH ORDINALITY AS x(l, i) ORDER BY i) AS own)`,
    [projectionLockKey(schema, projection.name), `${projection.name}:`, opts.mode === 'live' ? ids : [], projection.locks ?? []],
  );
  const cpTable = tables(checkpointTable(projection.name));
  const rows: { aggregate_id: string; version: number | null; blocked: boolean }[] = await tx.query(
    `SELECT a.id AS aggregate_id, cp.version, ${opts.respectDeadLetters
      ? `EXISTS (SELECT 1 FROM ${qualify(schema, 'dead_letters')} d WHERE d.projection = $2 AND d.status = 'open' AND d.aggregate_id = a.id)`
      : 'false'} AS blocked
     FROM unnest($1::text[]) AS a(id) LEFT JOIN ${cpTable} cp ON cp.aggregate_id = a.id`,
    opts.respectDeadLetters ? [ids, projection.name] : [ids],
  );
  const applied = new Map(rows.filter((r) => r.version !== null).map((r) => [r.aggregate_id, r.version!]));
  const blocked = new Set(rows.filter((r) => r.blocked).map((r) => r.aggregate_id));
  const plan = planBatch(events, applied, blocked);
  if (plan.toApply.length > 0) {
    const known = plan.toApply.filter(isForProjections);
    if (known.length > 0) await projection.apply(tx, known, tables, opts.mode);
    const cps = [...plan.checkpoints.entries()];
    await tx.query(
      `INSERT INTO ${cpTable} (aggregate_id, version, event_id)
       SELECT * FROM unnest($1::text[], $2::int[], $3::uuid[])
       ON CONFLICT (aggregate_id) DO UPDATE SET version = EXCLUDED.version, event_id = EXCLUDED.event_id, applied_at = now()`,
      [cps.map(([id]) => id), cps.map(([, c]) => c.version), cps.map(([, c]) => c.eventId)],
    );
  }
  return plan.outcomes;
}

export const liveTables = (schema: string): TableMap => (table) => qualify(schema, table);
export const shadowTables = (schema: string): TableMap => (table) => qualify(schema, `${table}__rebuild`);
