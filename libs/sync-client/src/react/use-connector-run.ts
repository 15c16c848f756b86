import { useEffect, useState } from 'react';
import { follow, progressOf, type Progress } from '../sync-jobs.js';
import { useSyncClient } from './sync-provider.js';

export interface EntityProgress {
  entity: string;
  level: number;
  status: 'pending' | 'fetching' | 'fetched' | 'transforming' | 'transformed' | 'failed' | 'skipped';
  fetched: number;
  transformed: number;
  total: number | null;
  errors: { message: string; errorClass: string; retried: boolean }[];
  skippedBecause?: string;
  counts?: Record<string, number>;
}

/** A connector run as `GET /api/connectors/runs/:id` gives it. */
export interface ConnectorRun {
  id: string;
  connector: string;
  mode: 'full' | 'incremental';
  status: 'running' | 'succeeded' | 'failed';
  entities: Record<string, EntityProgress>;
  error: { errorClass: string; entity: string | null; message: string } | null;
  startedAt: string;
  finishedAt: string | null;
}

const FINAL = new Set(['transformed', 'failed', 'skipped']);

/** An entity's bar: transformed of total while it runs (unknown total: 0 until it is done), full once it is done. */
export function entityProgress(e: EntityProgress): Progress {
  if (FINAL.has(e.status)) return progressOf(e.total ?? e.transformed, e.total ?? e.transformed, e.status === 'failed' ? 1 : 0);
  return progressOf(e.transformed, e.total ?? Math.max(e.fetched, e.transformed, 1));
}

/** How often a running run is read: page-level progress is in the run's row; the feed carries only each entity's phases. */
const RUN_POLL_MS = 500;

/**
 * A connector run (admin) with per-entity progress, in dependency order: read
 * from REST, again on each of its changes in the feed (an entity fetched or
 * transformed, the run finished), and every `pollMs` while it runs.
 */
export function useConnectorRun(id: string | undefined, opts: { pollMs?: number } = {}) {
  const client = useSyncClient();
  const [run, setRun] = useState<ConnectorRun | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const pollMs = opts.pollMs ?? RUN_POLL_MS;

  useEffect(() => {
    if (!id) return;
    const abort = new AbortController();
    const path = `/api/connectors/runs/${encodeURIComponent(id)}`;
    const show = (r: ConnectorRun) => !abort.signal.aborted && setRun(r);
    const fail = (e: unknown) => !abort.signal.aborted && setError(e as Error);
    setRun(undefined);
    setError(undefined);
    const off = client.on('connector-run', (change) => {
      if (change.recordId === id) void client.api<ConnectorRun>('GET', path).then(show, fail);
    });
    follow<ConnectorRun>(client, path, { pollMs, signal: abort.signal, done: (r) => r.status !== 'running' || abort.signal.aborted, onUpdate: show }).catch(fail);
    return () => {
      abort.abort();
      off();
    };
  }, [client, id, pollMs]);

  const entities = run ? Object.values(run.entities).sort((a, b) => a.level - b.level || a.entity.localeCompare(b.entity)).map((e) => ({ ...e, progress: entityProgress(e) })) : [];
  return { run, entities, status: run?.status, loading: !!id && !run && !error, error };
}
