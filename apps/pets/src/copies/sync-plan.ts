import type { PetsAggregate } from '@ripple/contracts';
import type { RecordFields, RecordState, SyncMeta } from '../records/record-state';

/** What a rule wants one copy to become; the copy engine turns it into a `…Synced` event if anything differs. */
export interface SyncPlan<A extends PetsAggregate> {
  target: RecordState<A>;
  wanted: Partial<RecordFields<A>>;
  meta: Omit<SyncMeta, 'forced'>;
  /**
   * For copied fields a person may also edit on the copy: when the source value
   * was set. The later of the two writes wins; fields not named here always follow.
   */
  at?: Partial<Record<keyof RecordFields<A>, string | null>>;
}
export type AnySyncPlan = { [A in PetsAggregate]: SyncPlan<A> }[PetsAggregate];

/** Last writer wins, field by field: a source value older than a person's edit of the copy is not copied. */
export function lastWriterWins<A extends PetsAggregate>(plan: SyncPlan<A>): Partial<RecordFields<A>> {
  const { at } = plan;
  if (!at) return plan.wanted;
  const kept: Partial<RecordFields<A>> = {};
  for (const field of Object.keys(plan.wanted) as (keyof RecordFields<A> & string)[]) {
    const edited = plan.target.editedAt[field];
    const source = at[field];
    if (edited === undefined || !(field in at) || (source !== null && source !== undefined && Date.parse(source) >= Date.parse(edited))) kept[field] = plan.wanted[field];
  }
  return kept;
}
