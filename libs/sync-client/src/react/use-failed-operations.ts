import { useMemo } from 'react';
import { useSyncClient } from './sync-provider.js';
import { useSyncStatus } from './use-sync-status.js';

/** The operations the server refused (kept across reloads), to retry (sent again, after the queue) or clear. */
export function useFailedOperations() {
  const client = useSyncClient();
  const { failed } = useSyncStatus();
  const actions = useMemo(() => ({
    retry: (operationId: string) => client.retryFailed(operationId),
    clear: (operationId: string) => client.clearFailed(operationId),
    retryAll: () => client.retryFailed(),
    clearAll: () => client.clearFailed(),
  }), [client]);
  return { failed, ...actions };
}
