import { useMemo, useRef, useSyncExternalStore } from 'react';
import { LiveList, type LiveListOptions, type LiveListState } from '../live-list.js';
import { LiveRecord, type ApplyChange, type LiveRecordOptions, type LiveRecordState, type Versioned } from '../live-record.js';
import type { DataChange } from '../messages.js';
import type { ListFilter } from '../rest-paths.js';
import { useSyncClient } from './sync-provider.js';

const IDLE = { data: undefined, loading: false } as const;
const noSubscription = () => () => undefined;

/** The latest `apply` given, without making a new store each render (inline functions change every time). */
function useLatestApply<T>(apply: ApplyChange<T> | undefined): ApplyChange<T> | undefined {
  const ref = useRef(apply);
  ref.current = apply;
  return apply && ((record: T, change: DataChange) => ref.current!(record, change));
}

/**
 * One record, live: its REST snapshot merged with the change feed by version
 * (see LiveRecord). `id` undefined waits (nothing is fetched).
 */
export function useLiveRecord<T extends Versioned>(type: string, id: string | undefined, opts: LiveRecordOptions<T> = {}): LiveRecordState<T> & { refetch(): Promise<void> } {
  const client = useSyncClient();
  const apply = useLatestApply(opts.apply);
  const hasApply = apply !== undefined;
  // apply is read through a ref: only whether there is one makes a new store.
  const live = useMemo(() => (id === undefined ? undefined : new LiveRecord<T>(client, type, id, { path: opts.path, apply })), [client, type, id, opts.path, hasApply]);
  const state = useSyncExternalStore(live?.subscribe ?? noSubscription, live?.getSnapshot ?? (() => IDLE), live?.getSnapshot ?? (() => IDLE));
  return { ...state, refetch: () => live?.refetch() ?? Promise.resolve() };
}

/**
 * A REST list (its filter as query parameters, e.g. `{ ownerId }`), live: merged
 * with the change feed by version (see LiveList). A filter equal by value to the
 * last one keeps the same list.
 */
export function useLiveList<T extends Versioned>(type: string, filter: ListFilter = {}, opts: LiveListOptions<T> = {}): LiveListState<T> & { refetch(): Promise<void> } {
  const client = useSyncClient();
  const apply = useLatestApply(opts.apply);
  const matchesRef = useRef(opts.matches);
  matchesRef.current = opts.matches;
  const key = JSON.stringify(Object.entries(filter).sort(([a], [b]) => a.localeCompare(b)));
  const hasApply = apply !== undefined;
  const live = useMemo(
    () => new LiveList<T>(client, type, filter, { path: opts.path, apply, matches: (c) => matchesRef.current?.(c) ?? true }),
    // The filter by value (its key); apply and matches through refs.
    [client, type, key, opts.path, hasApply],
  );
  const state = useSyncExternalStore(live.subscribe, live.getSnapshot, live.getSnapshot);
  return { ...state, refetch: () => live.refetch() };
}
