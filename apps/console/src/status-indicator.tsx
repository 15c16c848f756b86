import { useSyncStatus } from '@ripple/sync-client/react';

const WORDS = { live: 'Live', syncing: 'Syncing…', connecting: 'Connecting…', offline: 'Offline' } as const;

/** Always in the header: the feed's state, what waits to be sent, and what the server refused. */
export function StatusIndicator() {
  const { state, queueSize, failedCount } = useSyncStatus();
  return (
    <span role="status" aria-live="polite" className={`status status-${state}`} data-state={state} data-queued={queueSize} data-failed={failedCount}>
      <span className="dot" aria-hidden="true" />
      {WORDS[state]}
      {queueSize > 0 && <span className="queued">· {queueSize} queued</span>}
      {failedCount > 0 && <span className="failed">· {failedCount} failed</span>}
    </span>
  );
}
