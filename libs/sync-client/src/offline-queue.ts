import type { FailedOperation, OperationOutcome, QueuedOperation } from './messages.js';
import { emptyState, type PersistedState, type QueueStore } from './queue-store.js';

export interface Conflict {
  operation: QueuedOperation;
  /** The server's 409 answer (e.g. `{ code: 'VERSION_CONFLICT', currentVersion }`). */
  error: unknown;
  /** The record as the server has it now (from `statePath`), when the operation names one. */
  serverState: unknown;
}

/** Retry with a changed operation, or give the edit up. */
export type Resolution = { retry: Pick<QueuedOperation, 'body' | 'headers'> } | { drop: true };
export type ConflictHandler = (conflict: Conflict) => Resolution | Promise<Resolution>;

/**
 * Last writer wins: resend the same edit against the server's current version
 * (`expectedVersion` in the body and `If-Match` follow `serverState.version`).
 */
export const lastWriterWins: ConflictHandler = ({ operation, serverState }) => {
  const version = (serverState as { version?: number } | undefined)?.version;
  const body = operation.body && typeof operation.body === 'object' ? { ...(operation.body as object) } : operation.body;
  if (body && typeof body === 'object' && 'expectedVersion' in body) (body as Record<string, unknown>).expectedVersion = version;
  const headers = { ...operation.headers };
  for (const k of Object.keys(headers)) if (k.toLowerCase() === 'if-match') headers[k] = `"${version}"`;
  return { retry: { body, headers } };
};

/** A record that keeps changing under a retried edit is reported as failed rather than retried forever. */
const MAX_CONFLICT_RETRIES = 5;

/** Cursor moves are written together, at most this often (and on close): one per change would be a write per message. */
export const CURSOR_SAVE_MS = 250;

export interface SendResult {
  status: number;
  body: unknown;
}

export interface QueueEvents {
  /** The queue's content (operations or failed) changed. */
  changed?(): void;
  settled?(outcome: OperationOutcome): void;
}

/**
 * One user's commands, kept durably until the server has them, sent strictly
 * in order, each with its own Idempotency-Key so a retry after a lost answer is
 * applied once. A network failure or 5xx stops the flush (the head is retried
 * later); a 409 goes to the conflict handler; any other refusal is kept as
 * failed (across restarts too) until it is retried or cleared.
 */
export class OfflineQueue {
  private state: PersistedState;
  /** The save being written, and whether another must follow it (saves never overlap). */
  private saving?: Promise<void>;
  private dirty = false;
  private cursorTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly store: QueueStore,
    readonly userId: string,
    private readonly events: QueueEvents = {},
    private readonly cursorSaveMs = CURSOR_SAVE_MS,
  ) {
    this.state = emptyState(userId);
  }

  async load(): Promise<PersistedState> {
    this.state = await this.store.load(this.userId);
    this.events.changed?.();
    return this.state;
  }

  get size(): number {
    return this.state.operations.length;
  }

  get failed(): readonly FailedOperation[] {
    return this.state.failed;
  }

  get cursor(): string | undefined {
    return this.state.cursor;
  }

  /** Moves the cursor now; it reaches the store with the next save, at most `cursorSaveMs` later. */
  setCursor(cursor: string): void {
    this.state.cursor = cursor;
    this.cursorTimer ??= setTimeout(() => void this.persist().catch(() => undefined), this.cursorSaveMs);
  }

  /** Writes what is pending (the cursor included) and stops the cursor timer: call before letting the queue go. */
  close(): Promise<void> {
    return this.persist();
  }

  async enqueue(op: Omit<QueuedOperation, 'id' | 'idempotencyKey' | 'enqueuedAt'>): Promise<QueuedOperation> {
    const queued = { ...op, id: crypto.randomUUID(), idempotencyKey: crypto.randomUUID(), enqueuedAt: Date.now() };
    this.state.operations.push(queued);
    this.events.changed?.();
    await this.persist();
    return queued;
  }

  /** Puts failed operations (one, or all) back at the end of the queue, each with a new Idempotency-Key. */
  async retryFailed(operationId?: string): Promise<number> {
    const retried = this.takeFailed(operationId);
    this.state.operations.push(...retried.map((f) => ({ ...f.operation, idempotencyKey: crypto.randomUUID() })));
    await this.afterChange();
    return retried.length;
  }

  /** Forgets failed operations (one, or all). */
  async clearFailed(operationId?: string): Promise<number> {
    const cleared = this.takeFailed(operationId);
    await this.afterChange();
    return cleared.length;
  }

  /** Sends until the queue is empty (true) or the server is unreachable (false). */
  async flush(send: (op: QueuedOperation) => Promise<SendResult>, resolve: (op: QueuedOperation, result: SendResult) => Promise<Resolution>): Promise<boolean> {
    const conflicts = new Map<string, number>();
    while (this.state.operations.length > 0) {
      const head = this.state.operations[0];
      let result: SendResult;
      try {
        result = await send(head);
      } catch {
        return false;
      }
      if (result.status >= 500 || result.status === 408 || result.status === 429) return false;
      let outcome: OperationOutcome = { kind: 'sent', operation: head, ...result };
      if (result.status === 409 && (conflicts.get(head.id) ?? 0) < MAX_CONFLICT_RETRIES) {
        conflicts.set(head.id, (conflicts.get(head.id) ?? 0) + 1);
        const resolution = await resolve(head, result);
        if ('retry' in resolution) {
          this.state.operations[0] = { ...head, ...resolution.retry, idempotencyKey: crypto.randomUUID() };
          await this.persist();
          continue;
        }
        outcome = { kind: 'dropped', operation: head };
      } else if (result.status >= 400) {
        this.state.failed.push({ operation: head, status: result.status, body: result.body, failedAt: Date.now() });
        outcome = { kind: 'failed', operation: head, ...result };
      }
      this.state.operations.shift();
      await this.afterChange();
      this.events.settled?.(outcome);
    }
    return true;
  }

  private takeFailed(operationId?: string): FailedOperation[] {
    const taken = this.state.failed.filter((f) => operationId === undefined || f.operation.id === operationId);
    this.state.failed = this.state.failed.filter((f) => !taken.includes(f));
    return taken;
  }

  private async afterChange(): Promise<void> {
    this.events.changed?.();
    await this.persist();
  }

  /**
   * Writes the current state once every change made before the call is in the
   * store. Saves run one at a time, and the changes made while one runs share
   * the next: a burst of changes costs two writes, not one per change.
   */
  private persist(): Promise<void> {
    clearTimeout(this.cursorTimer);
    this.cursorTimer = undefined;
    this.dirty = true;
    this.saving ??= (async () => {
      try {
        while (this.dirty) {
          this.dirty = false;
          await this.store.save(this.state);
        }
      } finally {
        this.saving = undefined;
      }
    })();
    return this.saving;
  }
}
