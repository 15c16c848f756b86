import type { SyncClient } from './sync-client.js';

/** A target of pets' force sync (`POST /api/sync/force`), and a batch's operation. */
export interface SyncOperation {
  type: 'user_profile' | 'pet_data' | 'veterinarian';
  targetId: string;
  label?: string;
}

export interface ForceSyncResult {
  type: SyncOperation['type'];
  targetId: string;
  changed: number;
  changes: { eventId: string; type: string; recordType: string; recordId: string; changes: unknown }[];
}

/** A batch or full sync as pets reports it (`GET /api/sync/batch/:id`). */
export interface SyncJob {
  id: string;
  kind: 'batch' | 'full';
  status: 'running' | 'completed';
  total: number;
  completed: number;
  failed: number;
  progress: { completed: number; total: number };
  results: { index: number; ok: boolean; attempts: number; type: string; targetId: string; label?: string; error?: string }[];
  retrying: { index: number; attempts: number; nextRetryAt: string; error: string }[];
  failedOperations: { index: number; type: string; targetId: string; label?: string; error?: string; attempts: number }[];
}

export interface Progress {
  /** Done so far, failed ones included. */
  completed: number;
  total: number;
  failed: number;
  /** 0 to 100. */
  percentage: number;
}

export const progressOf = (done: number, total: number, failed = 0): Progress => ({
  completed: done, total, failed, percentage: total === 0 ? 100 : Math.round((100 * done) / total),
});

export const jobProgress = (job: SyncJob): Progress => progressOf(job.progress.completed, job.progress.total, job.failed);

/**
 * Reads a resource until `done` says so, reporting each answer: for what the
 * change feed does not carry (pets' sync jobs are rows, not events) or carries
 * only coarsely. Stops early when the signal aborts.
 */
export async function follow<T>(client: SyncClient, path: string, opts: { done: (value: T) => boolean; onUpdate: (value: T) => void; pollMs: number; signal?: AbortSignal }): Promise<T> {
  for (;;) {
    const value = await client.api<T>('GET', path);
    if (opts.signal?.aborted) return value;
    opts.onUpdate(value);
    if (opts.done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, opts.pollMs));
  }
}
