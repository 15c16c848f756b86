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
  await tx.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [projectionLockKey(schema, projection.name)]);
  const ids = [...new Set(events.map((e) => e.aggregateId))];
  if (opts.mode === 'live') {
    // Two live appliers of one aggregate (a deposed leader's last batch, a dead-letter retry)
    // serialize here, so the second sees the first's checkpoint. Sorted to avoid deadlocks.
    await tx.query('SELECT pg_advisory_xact_lock(k) FROM (SELECT hashtext($1 || a) AS k FROM unnest($2::text[]) AS a ORDER BY 1) AS sorted', [`${projection.name}:`, ids]);
  }
  const cpTable = tables(checkpointTable(projection.name));
  const rows: { aggregate_id: string; version: number }[] = await tx.query(
    `SELECT aggregate_id, version FROM ${cpTable} WHERE aggregate_id = ANY($1::text[])`,
    [ids],
  );
  const blocked = opts.respectDeadLetters
    ? (
        await tx.query(
          `SELECT DISTINCT aggregate_id FROM ${qualify(schema, 'dead_letters')} WHERE projection = $1 AND status = 'open' AND aggregate_id = ANY($2::text[])`,
          [projection.name, ids],
        )
      ).map((r: { aggregate_id: string }) => r.aggregate_id)
    : [];
  const plan = planBatch(events, new Map(rows.map((r) => [r.aggregate_id, r.version])), new Set(blocked));
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
