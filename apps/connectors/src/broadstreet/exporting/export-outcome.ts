import type { UpstreamErrorClass } from '@ripple/contracts';
import { UpstreamError } from '../../framework/http/upstream.errors';

export class DependencyNotExportedError extends Error {
  readonly code = 'ADSERVER_DEPENDENCY_NOT_EXPORTED';
  constructor(readonly ref: string, readonly refId: string, readonly reason: string) {
    super(`${ref} ${refId} is not exported: ${reason}`);
  }
}

/** A create answered without the new entity's id, and a lookup under its parent did not find it. */
export class CreatedWithoutIdError extends Error {
  readonly code = 'ADSERVER_CREATED_WITHOUT_ID';
  constructor(readonly type: string, readonly entityName: string | null) {
    super(`the create of ${type}${entityName ? ` "${entityName}"` : ''} was answered without an id, and a lookup under its parent did not find it`);
  }
}

export type ErrorCategory = UpstreamErrorClass | 'dependency';

/** What one entity's export error means for the run: stop it, or mark the entity and go on. */
export interface ExportVerdict {
  action: 'stop' | 'failed' | 'skipped';
  category: ErrorCategory;
  message: string;
  /** Whether the create may have happened unseen (a lost reply): then the export intent must survive for the next run to reconcile. */
  mayHaveWritten: boolean;
}

/**
 * Auth errors stop the run (every later call would fail the same way). A
 * missing dependency skips the entity. Anything else (rejected payload,
 * retries or rate-limit budget used up) fails only that entity.
 */
export function exportVerdict(err: unknown): ExportVerdict {
  if (err instanceof DependencyNotExportedError) return { action: 'skipped', category: 'dependency', message: err.message, mayHaveWritten: false };
  if (err instanceof UpstreamError) {
    const message = err.details.body ? `${err.message}: ${err.details.body}` : err.message;
    const mayHaveWritten = err.errorClass === 'network' || err.errorClass === 'upstream_5xx';
    return { action: err.errorClass === 'auth' ? 'stop' : 'failed', category: err.errorClass, message, mayHaveWritten };
  }
  // The create may well have happened: the intent stays, and the next run looks it up again.
  if (err instanceof CreatedWithoutIdError) return { action: 'failed', category: 'validation', message: err.message, mayHaveWritten: true };
  const code = (err as { code?: string })?.code;
  if (code === 'ADSERVER_MISSING_FIELD') return { action: 'failed', category: 'validation', message: (err as Error).message, mayHaveWritten: false };
  // Ours (e.g. the database after the create call): keep the intent, the next run reconciles.
  return { action: 'stop', category: 'internal', message: (err as Error)?.message ?? String(err), mayHaveWritten: true };
}
