import type { UpstreamErrorClass } from '@ripple/contracts';
import { UpstreamError } from '../http/upstream.errors';
import type { RunConflict } from '../connector';
import type { RetryNotice } from '../http/upstream-client';

export type EntityStatus = 'pending' | 'fetching' | 'fetched' | 'transforming' | 'transformed' | 'failed' | 'skipped';

export interface EntityError {
  at: string;
  errorClass: UpstreamErrorClass;
  message: string;
  status?: number;
  attempt?: number;
  /** True for a failed attempt that was retried; false for the error that stopped the entity. */
  retried: boolean;
  delayMs?: number;
}

export interface EntityProgress {
  entity: string;
  level: number;
  status: EntityStatus;
  fetched: number;
  transformed: number;
  total: number | null;
  pages: number;
  fetchMs: number;
  transformMs: number;
  errors: EntityError[];
  /** Outcomes an entity counts itself (an export: exported, failed, skipped). */
  counts?: Record<string, number>;
  /** Why a skipped entity did not run (or did not finish) in a failed run. */
  skippedBecause?: string;
  /** Incremental runs: the cursor the entity was fetched from (null: fetched whole). */
  since?: string | null;
  /** What the import found at odds with local data (at most MAX_ERRORS are kept; `counts.conflicts` has them all). */
  conflicts?: RunConflict[];
}

export type RunProgress = Record<string, EntityProgress>;

/** At most this many errors are kept per entity, so a flapping upstream cannot bloat the run record. */
const MAX_ERRORS = 50;

export function initialProgress(levels: { name: string }[][]): RunProgress {
  return Object.fromEntries(
    levels.flatMap((l, level) => l.map((e) => [e.name, { entity: e.name, level, status: 'pending', fetched: 0, transformed: 0, total: null, pages: 0, fetchMs: 0, transformMs: 0, errors: [] }])),
  );
}

export function noteConflict(p: EntityProgress, c: RunConflict): void {
  p.counts = { ...p.counts, conflicts: (p.counts?.conflicts ?? 0) + 1 };
  if ((p.conflicts ??= []).length < MAX_ERRORS) p.conflicts.push(c);
}

export function noteRetry(p: EntityProgress, n: RetryNotice, now: Date): void {
  if (p.errors.length < MAX_ERRORS) p.errors.push({ at: now.toISOString(), errorClass: n.errorClass, status: n.status, attempt: n.attempt, message: n.message, retried: true, delayMs: n.delayMs });
}

/** The class of whatever stopped a run: upstream errors carry theirs, validation errors say so, anything else is ours. */
export function errorClassOf(err: unknown): UpstreamErrorClass {
  if (err instanceof UpstreamError) return err.errorClass;
  if ((err as { code?: string })?.code === 'CATALOG_INVALID') return 'validation';
  return 'internal';
}

export function noteFailure(p: EntityProgress, err: unknown, now: Date): void {
  const status = err instanceof UpstreamError ? err.details.status : undefined;
  const attempt = err instanceof UpstreamError ? err.details.attempts : undefined;
  p.status = 'failed';
  p.errors.push({ at: now.toISOString(), errorClass: errorClassOf(err), message: (err as Error)?.message ?? String(err), status, attempt, retried: false });
}

/**
 * A failed run is over: an entity that neither failed itself nor got through
 * its last phase is skipped, saying why, so no entity of a finished run is left
 * `pending`, `fetching` or half-way.
 */
export function skipUnfinished(progress: RunProgress, because: string): void {
  for (const p of Object.values(progress)) {
    if (p.status === 'failed' || p.status === 'transformed') continue;
    p.status = 'skipped';
    p.skippedBecause = because;
  }
}
