import { useCallback, useEffect, useRef, useState } from 'react';
import { follow, jobProgress, progressOf, type ForceSyncResult, type Progress, type SyncJob, type SyncOperation } from '../sync-jobs.js';
import { useSyncClient } from './sync-provider.js';

/** How often a running job is read (pets' jobs are rows, not feed events). */
const JOB_POLL_MS = 500;

interface RunState<T> {
  loading: boolean;
  error?: Error;
  last?: T;
}

/** Runs one async action at a time, keeping its result or error; stops reporting once unmounted. */
function useRun<T>() {
  const [state, setState] = useState<RunState<T>>({ loading: false });
  const mounted = useRef(true);
  const abort = useRef<AbortController | undefined>(undefined);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      abort.current?.abort();
    };
  }, []);
  const run = useCallback(async <R extends T>(action: (signal: AbortSignal) => Promise<R>): Promise<R> => {
    abort.current = new AbortController();
    setState({ loading: true });
    try {
      const last = await action(abort.current.signal);
      if (mounted.current) setState({ loading: false, last });
      return last;
    } catch (error) {
      if (mounted.current) setState({ loading: false, error: error as Error });
      throw error;
    }
  }, []);
  return { ...state, run, mounted };
}

/** Follows a pets sync job to its end, reporting each reading. */
function useJob(pollMs: number) {
  const client = useSyncClient();
  const [job, setJob] = useState<SyncJob | undefined>(undefined);
  const { run, loading, error, mounted } = useRun<SyncJob>();
  const start = useCallback(
    (path: string, body: unknown) =>
      run(async (signal) => {
        const started = await client.api<SyncJob>('POST', path, body);
        setJob(started);
        return follow<SyncJob>(client, `/api/sync/batch/${started.id}`, {
          pollMs, signal, done: (j) => j.status !== 'running', onUpdate: (j) => mounted.current && setJob(j),
        });
      }),
    [client, run, pollMs, mounted],
  );
  return { job, start, loading, error, progress: job && jobProgress(job) };
}

/**
 * Pets' force sync: `forceSync(type, targetId)` re-derives one thing's copies
 * (progress 0/1 → 1/1); `forceSyncAll(userId?)` re-derives everything a user's
 * data reaches as a job, with progress while it runs.
 */
export function useForceSync(opts: { pollMs?: number } = {}) {
  const client = useSyncClient();
  const one = useRun<ForceSyncResult>();
  const all = useJob(opts.pollMs ?? JOB_POLL_MS);
  const forceSync = useCallback(
    (type: SyncOperation['type'], targetId: string) => one.run(() => client.api<ForceSyncResult>('POST', '/api/sync/force', { type, targetId })),
    [client, one.run],
  );
  const forceSyncAll = useCallback((userId?: string) => all.start('/api/sync/full', userId ? { userId } : {}), [all.start]);
  const progress: Progress | undefined = all.loading || all.job ? all.progress : one.loading ? progressOf(0, 1) : one.last ? progressOf(1, 1) : undefined;
  return {
    forceSync, forceSyncAll, progress, result: one.last, job: all.job,
    loading: one.loading || all.loading, error: one.error ?? all.error,
  };
}

/** Pets' batch sync: several force syncs as one job; `batchProgress` moves while it runs; resolves with the finished job. */
export function useBatchSync(opts: { pollMs?: number } = {}) {
  const { job, start, loading, error, progress } = useJob(opts.pollMs ?? JOB_POLL_MS);
  const executeBatchSync = useCallback((operations: SyncOperation[]) => start('/api/sync/batch', { operations }), [start]);
  return { executeBatchSync, job, batchProgress: progress, loading, error };
}
