import type { DomainEvent } from '@ripple/contracts';

/**
 * What to do with each event of a batch, decided from the per-aggregate
 * checkpoints before anything is written:
 * - apply: the next version of its aggregate;
 * - duplicate: already applied (redelivery, duplicate publish): ack, no effect;
 * - gap: an earlier version is not applied yet (it was nak'd): retry later, so order holds;
 * - blocked: an earlier version of this aggregate is dead-lettered: park behind it.
 */
export type Outcome = 'apply' | 'duplicate' | 'gap' | 'blocked';

export interface BatchPlan {
  outcomes: Outcome[];
  toApply: DomainEvent[];
  /** Highest version applied per aggregate after this batch (only aggregates that moved). */
  checkpoints: Map<string, { version: number; eventId: string }>;
}

export function planBatch(events: DomainEvent[], applied: ReadonlyMap<string, number>, blocked: ReadonlySet<string>): BatchPlan {
  const current = new Map(applied);
  const checkpoints = new Map<string, { version: number; eventId: string }>();
  const toApply: DomainEvent[] = [];
  const outcomes = events.map((e): Outcome => {
    const last = current.get(e.aggregateId) ?? 0;
    if (e.aggregateVersion <= last) return 'duplicate';
    if (blocked.has(e.aggregateId)) return 'blocked';
    if (e.aggregateVersion > last + 1) return 'gap';
    current.set(e.aggregateId, e.aggregateVersion);
    checkpoints.set(e.aggregateId, { version: e.aggregateVersion, eventId: e.id });
    toApply.push(e);
    return 'apply';
  });
  return { outcomes, toApply, checkpoints };
}
