import { backoffDelay } from './backoff.js';
import type { DataChange, QueuedOperation, ServerMessage, SyncState, SyncStatus } from './messages.js';
import { lastWriterWins, OfflineQueue, type ConflictHandler, type Resolution, type SendResult } from './offline-queue.js';
import { MemoryQueueStore, type QueueStore } from './queue-store.js';
import { sseMessages } from './sse-stream.js';

export interface SyncClientOptions {
  /** The gateway's origin, e.g. https://ripple.example */
  baseUrl: string;
  getToken: () => string | Promise<string>;
  /** FileQueueStore in Node, IndexedDbQueueStore in a browser; memory by default. */
  store?: QueueStore;
  onConflict?: ConflictHandler;
  backoff?: { baseMs?: number; maxMs?: number };
  fetch?: typeof fetch;
}

type Handler<T> = (change: DataChange<T>) => void;

/**
 * A live view of the user's change feed plus an offline command queue. It
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
  private state: SyncState = 'offline';
  private running = false;
  private abort?: AbortController;
  private loop?: Promise<void>;
  private flushing?: Promise<void>;
  private flushAttempt = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private readonly fetch: typeof fetch;

  constructor(private readonly opts: SyncClientOptions) {
    this.queue = new OfflineQueue(opts.store ?? new MemoryQueueStore());
    this.fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async start(): Promise<void> {
    await this.queue.load();
    this.running = true;
    this.loop = this.connectLoop();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    this.abort?.abort();
    await this.loop;
    await this.flushing;
    this.setState('offline');
  }

  on<K extends keyof TChanges & string>(changeType: K, handler: Handler<TChanges[K]>): () => void {
    const set = this.handlers.get(changeType) ?? this.handlers.set(changeType, new Set()).get(changeType)!;
    set.add(handler);
    return () => set.delete(handler);
  }

  onStatus(listener: (s: SyncStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** The server could not resume this client's cursor: reload what you show, then changes continue. */
  onReset(listener: (reason: string) => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  status(): SyncStatus {
    return { state: this.state, queueSize: this.queue.size, failed: [...this.queue.failed] };
  }

  /** Queues a command durably; it is sent now if online, else when the connection returns. */
  async send(op: Omit<QueuedOperation, 'id' | 'idempotencyKey' | 'enqueuedAt'>): Promise<QueuedOperation> {
    const queued = await this.queue.enqueue(op);
    this.emitStatus();
    if (this.state === 'live') void this.flush();
    return queued;
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
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt++, this.opts.backoff)));
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
        connected = true;
        await this.queue.setCursor(message.cursor);
        void this.flush();
      } else await this.handle(message);
    }
    return connected;
  }

  private async handle(message: ServerMessage): Promise<void> {
    switch (message.type) {
      case 'data_change':
        // Handlers first, then the cursor: a change whose cursor is saved has been delivered
        // (a crash in between delivers it again rather than never).
        for (const h of this.handlers.get(message.changeType) ?? []) h(message);
        for (const h of this.handlers.get('*') ?? []) h(message);
        await this.queue.setCursor(message.cursor);
        return;
      case 'reset':
        await this.queue.setCursor(message.cursor);
        for (const l of this.resetListeners) l(message.reason);
        return;
      case 'closing':
        await this.queue.setCursor(message.cursor);
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

  private async request(method: string, path: string, op?: QueuedOperation): Promise<SendResult> {
    const headers: Record<string, string> = { authorization: `Bearer ${await this.opts.getToken()}`, ...op?.headers };
    if (op) headers['idempotency-key'] = op.idempotencyKey;
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
    return (this.opts.onConflict ?? lastWriterWins)({ operation: op, error: (result.body as { error?: unknown })?.error ?? result.body, serverState });
  }

  private setState(state: SyncState): void {
    if (this.state === state) return;
    this.state = state;
    this.emitStatus();
  }

  private emitStatus(): void {
    const s = this.status();
    for (const l of this.statusListeners) l(s);
  }
}
