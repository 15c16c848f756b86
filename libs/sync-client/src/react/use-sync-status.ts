import { useCallback, useSyncExternalStore } from 'react';
import type { SyncStatus } from '../messages.js';
import { useSyncClient } from './sync-provider.js';

/** live / syncing / connecting / offline, the queue's size and the failed operations: re-renders only when one changes. */
export function useSyncStatus(): SyncStatus {
  const client = useSyncClient();
  const subscribe = useCallback((onChange: () => void) => client.onStatus(onChange), [client]);
  const snapshot = useCallback(() => client.status(), [client]);
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
