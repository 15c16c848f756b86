import type { Fields, RecordState, SyncMeta } from '../records/record';

/** What a rule wants one copy to become; the engine turns it into a `…Synced` event if anything differs. */
export interface SyncPlan {
  target: RecordState;
  wanted: Partial<Fields>;
  meta: Omit<SyncMeta, 'forced'>;
}
