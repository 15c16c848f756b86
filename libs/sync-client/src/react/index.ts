export { SyncProvider, useSyncClient, MissingSyncProviderError, type SyncProviderProps } from './sync-provider.js';
export { useSyncStatus } from './use-sync-status.js';
export { useLiveRecord, useLiveList } from './use-live.js';
export { useMutation, type MutationState, type ConflictOutcome } from './use-mutation.js';
export { useFailedOperations } from './use-failed-operations.js';
export { useForceSync, useBatchSync } from './use-sync-jobs.js';
export { useConnectorRun, entityProgress, type ConnectorRun, type EntityProgress } from './use-connector-run.js';
