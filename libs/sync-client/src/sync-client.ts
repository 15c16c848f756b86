import { backoffDelay } from './backoff.js';
import { ApiError, WrongUserError } from './errors.js';
import type { DataChange, OperationOutcome, QueuedOperation, ServerMessage, SyncState, SyncStatus } from './messages.js';
import { lastWriterWins, OfflineQueue, type ConflictHandler, type Resolution, type SendResult } from './offline-queue.js';
import { MemoryQueueStore, type QueueStore } from './queue-store.js';
import { sseMessages } from './sse-stream.js';

export interface SyncClientOptions {
  /** The gateway's origin, e.g. https://ripple.example */
  baseUrl: string;
  /** The signed-in user: the queue is theirs, and is never sent with another user's token. */
  userId: string;
  getToken: () => string | Promise<string>;
  /** FileQueueStore in Node, IndexedDbQueueStore in a browser (each keeps one queue per user); memory by default. */
  store?: QueueStore;
  onConflict?: ConflictHandler;
  backoff?: { baseMs?: number; maxMs?: number };
  /** How long a moved cursor may wait to be saved (default 250 ms); it is saved on stop too. */
  cursorSaveMs?: number;
  fetch?: typeof fetch;
}

type Handler<T> = (change: DataChange<T>) => void;
export type NewOperation = Omit<QueuedOperation, 'id' | 'idempotencyKey' | 'enqueuedAt'>;

/**
 * A live view of the user's change feed plus their offline command queue. It
 * reconnects with backoff and jitter, resumes from its last cursor (kept in
 * the store, so a restarted client resumes too), and sends queued commands in
 * order once the server is reachable. `TChanges` maps change types to their
 * data, for typed subscriptions.
 */
export class SyncClient<TChanges extends Record<string, unknown> = Record<string, unknown>> {
  private readonly queue: OfflineQueue;
  private readonly handlers = new Map<string, Set<Handler<any>>>();
  private readonly statusListeners = new Set<(s: SyncStatus) => void>();
  private readonly resetListeners = new Set<(reason: string) => void>();
  private readonly operationListeners = new Set<(o: OperationOutcome) => void>();
  private state: SyncState = 'offline';
  private snapshot: SyncStatus = { state: 'offline', queueSize: 0, failed: [], failedCount: 0 };
  private running = false;
  private lifecycle: Promise<void> = Promise.resolve();
  private abort?: AbortController;
  private loop?: Promise<void>;
  private flushing?: Promise<void>;
  private flushAttempt = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  /** Ends the wait before the next reconnect: stop() must not wait out a backoff. */
  private wake?: () => void;
  private readonly fetch: typeof fetch;
  /** A browser that says it is back online: connect now rather than at the end of the backoff. */
  private readonly reconnectNow = () => this.wake?.();
  /** A browser that says it is offline: an open stream may linger unnoticed, so drop it and show offline now. */
  private readonly dropNow = () => this.abort?.abort();

  constructor(private readonly opts: SyncClientOptions) {
    this.queue = new OfflineQueue(opts.store ?? new MemoryQueueStore(), opts.userId, {
      changed: () => this.emitStatus(),
      settled: (outcome) => this.emitOperation(outcome),
    }, opts.cursorSaveMs);
    this.fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  get userId(): string {
    return this.opts.userId;
  }

  /** Loads the user's queue and connects; starting a started client does nothing. Start and stop run in call order. */
  start(): Promise<void> {
    return (this.lifecycle = this.lifecycle.then(async () => {
      if (this.running) return;
      await this.queue.load();
      this.running = true;
      globalThis.addEventListener?.('online', this.reconnectNow);
      globalThis.addEventListener?.('offline', this.dropNow);
      this.loop = this.connectLoop();
    }));
  }

  /** Disconnects, lets an ongoing send finish and saves the cursor. */
  stop(): Promise<void> {
    return (this.lifecycle = this.lifecycle.then(async () => {
      if (!this.running) return;
      this.running = false;
      globalThis.removeEventListener?.('online', this.reconnectNow);
      globalThis.removeEventListener?.('offline', this.dropNow);
      clearTimeout(this.retryTimer);
      this.abort?.abort();
      this.wake?.();
      await this.loop;
      await this.flushing;
      await this.queue.close();
      this.setState('offline');
    }));
  }

  on<K extends keyof TChanges & string>(changeType: K | '*', handler: Handler<TChanges[K]>): () => void {
    const set = this.handlers.get(changeType) ?? this.handlers.set(changeType, new Set()).get(changeType)!;
    set.add(handler);
    return () => void set.delete(handler);
  }

  onStatus(listener: (s: SyncStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => void this.statusListeners.delete(listener);
  }

  /** The server could not resume this client's cursor: reload what you show, then changes continue. */
  onReset(listener: (reason: string) => void): () => void {
    this.resetListeners.add(listener);
    return () => void this.resetListeners.delete(listener);
  }

  /** What becomes of each queued operation: sent, failed, in conflict (and how it was resolved), dropped. */
  onOperation(listener: (outcome: OperationOutcome) => void): () => void {
    this.operationListeners.add(listener);
    return () => void this.operationListeners.delete(listener);
  }

  /** The current status: the same object until something changes. */
  status(): SyncStatus {
    return this.snapshot;
  }

  /** Queues a command durably; it is sent now if online, else when the connection returns. */
  async send(op: NewOperation): Promise<QueuedOperation> {
    const queued = await this.queue.enqueue(op);
    if (this.state === 'live') void this.flush();
    return queued;
  }

  /** Puts a failed operation (or every one) back in the queue, to be sent again. */
  async retryFailed(operationId?: string): Promise<number> {
    const n = await this.queue.retryFailed(operationId);
    if (n > 0 && this.state === 'live') void this.flush();
    return n;
  }

  clearFailed(operationId?: string): Promise<number> {
    return this.queue.clearFailed(operationId);
  }

  /** Sends what is queued; resolves when the queue is empty or the server is unreachable. */
  flush(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.flushing ??= (async () => {
      this.setState('syncing');
      const done = await this.queue.flush((op) => this.request(op.method, op.path, op), (op, result) => this.resolveConflict(op, result));
      this.setState(done ? 'live' : 'offline');
      if (done) this.flushAttempt = 0;
      // The feed may stay up while commands fail to get through: try them again on their own schedule.
      else if (this.running) this.retryTimer = setTimeout(() => void this.flush(), backoffDelay(this.flushAttempt++, this.opts.backoff));
    })().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** A REST call with the user's token, straight to the server (not queued): the answer's `data`, or an ApiError. */
  async api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const result = await this.request(method, path, body === undefined ? undefined : { body });
    if (result.status >= 400) throw ApiError.of(result.status, result.body);
    return ((result.body as { data?: T } | undefined)?.data ?? result.body) as T;
  }

  private async connectLoop(): Promise<void> {
    let attempt = 0;
    while (this.running) {
      this.setState('connecting');
      try {
        if (await this.stream()) attempt = 0;
      } catch {
        /* the network failed: reconnect below */
      }
      if (!this.running) return;
      this.setState('offline');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoffDelay(attempt++, this.opts.backoff));
        this.wake = () => (clearTimeout(timer), resolve());
      });
    }
  }

  /** One connection, until it ends; true if it got as far as `connected`. */
  private async stream(): Promise<boolean> {
    this.abort = new AbortController();
    const headers: Record<string, string> = { accept: 'text/event-stream', authorization: `Bearer ${await this.opts.getToken()}` };
    if (this.queue.cursor) headers['last-event-id'] = this.queue.cursor;
    const res = await this.fetch(`${this.opts.baseUrl}/api/sync/events`, { headers, signal: this.abort.signal });
    if (!res.ok || !res.body) return false;
    let connected = false;
    for await (const message of sseMessages(res.body)) {
      if (message.type === 'connected') {
        if (message.userId !== this.opts.userId) throw new WrongUserError(this.opts.userId, message.userId);
        connected = true;
        this.queue.setCursor(message.cursor);
        void this.flush();
      } else this.handle(message);
    }
    return connected;
  }

  private handle(message: ServerMessage): void {
    switch (message.type) {
      case 'data_change':
        // Handlers first, then the cursor: a change whose cursor is saved has been delivered
        // (a crash in between delivers it again rather than never).
        for (const h of this.handlers.get(message.changeType) ?? []) h(message);
        for (const h of this.handlers.get('*') ?? []) h(message);
        this.queue.setCursor(message.cursor);
        return;
      case 'reset':
        this.queue.setCursor(message.cursor);
        for (const l of this.resetListeners) l(message.reason);
        return;
      case 'closing':
        this.queue.setCursor(message.cursor);
        return;
      case 'connected':
      case 'heartbeat':
      case 'error':
        return;
      default: {
        const never: never = message;
        return never;
      }
    }
  }

  private async request(method: string, path: string, op?: Pick<QueuedOperation, 'body'> & Partial<QueuedOperation>): Promise<SendResult> {
    const token = await this.opts.getToken();
    const subject = tokenSubject(token);
    if (op?.idempotencyKey && subject !== undefined && subject !== this.opts.userId) throw new WrongUserError(this.opts.userId, subject);
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...op?.headers };
    if (op?.idempotencyKey) headers['idempotency-key'] = op.idempotencyKey;
    if (op?.body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.fetch(`${this.opts.baseUrl}${path}`, { method, headers, body: op?.body === undefined ? undefined : JSON.stringify(op.body) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body };
  }

  private async resolveConflict(op: QueuedOperation, result: SendResult): Promise<Resolution> {
    const current = op.statePath ? await this.request('GET', op.statePath) : undefined;
    const serverState = (current?.body as { data?: unknown } | undefined)?.data ?? current?.body;
    const error = (result.body as { error?: unknown })?.error ?? result.body;
    const resolution = await (this.opts.onConflict ?? lastWriterWins)({ operation: op, error, serverState });
    this.emitOperation({ kind: 'conflict', operation: op, error, serverState, resolution: 'retry' in resolution ? 'retry' : 'drop' });
    return resolution;
  }

  private setState(state: SyncState): void {
    if (this.state === state) return;
    this.state = state;
    this.emitStatus();
  }

  private emitStatus(): void {
    const failed = [...this.queue.failed];
    this.snapshot = Object.freeze({ state: this.state, queueSize: this.queue.size, failed, failedCount: failed.length });
    for (const l of this.statusListeners) l(this.snapshot);
  }

  private emitOperation(outcome: OperationOutcome): void {
    for (const l of this.operationListeners) l(outcome);
  }
}

/** The `sub` of a JWT (Ripple's tokens), or undefined for a token that is not one. */
function tokenSubject(token: string): string | undefined {
  try {
    const payload = token.split('.')[1];
    return payload ? (JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: string }).sub : undefined;
  } catch {
    return undefined;
  }
}
