import type { Fields, RecordState, SyncMeta } from '../records/record';

/** What a rule wants one copy to become; the engine turns it into a `…Synced` event if anything differs. */
export interface SyncPlan {
  target: RecordState;
  wanted: Partial<Fields>;
  meta: Omit<SyncMeta, 'forced'>;
  /**
   * For copied fields a person may also edit on the copy: when the source value
   * was set. The later of the two writes wins; fields not named here always follow.
   */
  at?: Record<string, string | null>;
}

/** Last writer wins, field by field: a source value older than a person's edit of the copy is not copied. */
export function lastWriterWins(plan: SyncPlan): Partial<Fields> {
  const { at } = plan;
  if (!at) return plan.wanted;
  return Object.fromEntries(Object.entries(plan.wanted).filter(([field]) => {
    const edited = plan.target.editedAt[field];
    if (edited === undefined || !(field in at)) return true;
    const source = at[field];
    return source !== null && Date.parse(source) >= Date.parse(edited);
  }));
}
