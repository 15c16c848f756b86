import { useEffect, useState } from 'react';
import type { Session, SyncOperation } from '@ripple/sync-client';
import { useBatchSync, useFailedOperations, useForceSync, useLiveList } from '@ripple/sync-client/react';
import { ErrorNote, ProgressBar, useApiRead } from './ui';

interface LogEntry { eventId: string; table: string; recordId: string; field: string; oldValue: unknown; newValue: unknown; rule: string; status: string; occurredAt: string }

/** Document 001's sync screens: force and batch sync with progress, the operations the server refused, the sync history. */
export function SyncPage({ session }: { session: Session }) {
  // Bumped when a sync finishes: the history is read again.
  const [generation, setGeneration] = useState(0);
  return (
    <div className="columns">
      <SyncNow userId={session.user.id} onFinished={() => setGeneration((g) => g + 1)} />
      <FailedOperations />
      <SyncHistory userId={session.user.id} generation={generation} />
    </div>
  );
}

function SyncNow({ userId, onFinished }: { userId: string; onFinished: () => void }) {
  const force = useForceSync();
  const batch = useBatchSync();
  const { data: pets } = useLiveList<{ id: string; version: number; name: string }>('pet');
  const { data: vets } = useLiveList<{ id: string; version: number; name: string }>('veterinarian');
  const operations: SyncOperation[] = [
    { type: 'user_profile', targetId: userId, label: 'your profile' },
    ...(pets ?? []).map((p) => ({ type: 'pet_data' as const, targetId: p.id, label: p.name })),
    ...(vets ?? []).map((v) => ({ type: 'veterinarian' as const, targetId: v.id, label: v.name })),
  ];
  const job = batch.job;
  const batchDone = job?.status === 'completed' ? job.id : undefined;
  const fullDone = force.job?.status === 'completed' ? force.job.id : undefined;
  useEffect(() => void ((batchDone || fullDone || force.result) && onFinished()), [batchDone, fullDone, force.result]);
  return (
    <section className="card" aria-labelledby="sync-now-title">
      <h2 id="sync-now-title">Sync now</h2>
      <p className="hint">Re-derives every copy of your data from its source; a copy never goes back over a newer edit.</p>
      <button type="button" onClick={() => void force.forceSyncAll().catch(() => undefined)} disabled={force.loading}>Force sync all my data</button>
      {force.progress && <ProgressBar label="Force sync" progress={force.progress} />}
      <ErrorNote error={force.error} />
      <button type="button" onClick={() => void batch.executeBatchSync(operations).catch(() => undefined)} disabled={batch.loading || !pets || !vets}>
        Batch sync {operations.length} item{operations.length === 1 ? '' : 's'}
      </button>
      {batch.batchProgress && <ProgressBar label="Batch sync" progress={batch.batchProgress} />}
      {job && job.status === 'completed' && <p className="ok" data-testid="batch-done">Batch sync finished: {job.completed - job.failed} synced, {job.failed} failed.</p>}
      {job?.retrying.map((r) => <p key={r.index} className="hint">Retrying {operations[r.index]?.label ?? `#${r.index}`} (attempt {r.attempts}): {r.error}</p>)}
      {job?.failedOperations.map((f) => <p key={f.index} className="error">{f.label ?? f.targetId} failed after {f.attempts} attempts: {f.error}</p>)}
      <ErrorNote error={batch.error} />
    </section>
  );
}

function FailedOperations() {
  const { failed, retry, clear, retryAll, clearAll } = useFailedOperations();
  return (
    <section className="card" aria-labelledby="failed-title">
      <h2 id="failed-title">Failed operations</h2>
      {failed.length === 0 ? <p>None: everything you sent was accepted.</p> : (
        <>
          <ul aria-label="Failed operations">
            {failed.map((f) => (
              <li key={f.operation.id}>
                <code>{f.operation.method} {f.operation.path}</code> refused with {f.status}: {(f.body as { error?: { message?: string } })?.error?.message ?? ''}
                <div className="actions">
                  <button type="button" onClick={() => void retry(f.operation.id)}>Retry</button>
                  <button type="button" onClick={() => void clear(f.operation.id)}>Clear</button>
                </div>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => void retryAll()}>Retry all</button>
          <button type="button" onClick={() => void clearAll()}>Clear all</button>
        </>
      )}
    </section>
  );
}

function SyncHistory({ userId, generation }: { userId: string; generation: number }) {
  const log = useApiRead<LogEntry[]>(`/api/sync/log?userId=${userId}&limit=50`, [generation]);
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">Sync history</h2>
      <button type="button" onClick={() => void log.reload()}>Refresh</button>
      <ErrorNote error={log.error} />
      {log.data?.length === 0 && <p>Nothing propagated yet.</p>}
      <ol className="history" aria-label="Sync history">
        {log.data?.map((e) => (
          <li key={`${e.eventId}-${e.table}-${e.recordId}-${e.field}`}>
            <span className={`badge badge-${e.status}`}>{e.status}</span> {e.table} {e.recordId.slice(0, 8)} <code>{e.field}</code>: {JSON.stringify(e.oldValue)} → {JSON.stringify(e.newValue)}
            <small> ({e.rule}, {new Date(e.occurredAt).toLocaleString()})</small>
          </li>
        ))}
      </ol>
    </section>
  );
}
