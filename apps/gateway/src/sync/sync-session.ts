import type { JsonLogger } from '@ripple/observability';
import type { FeedCursors, ResumePoint } from '../feed/feed-cursors';
import type { FeedReader, FeedRow } from '../feed/feed-reader';
import type { FeedTail } from '../feed/feed-tail';
import { dataChangeOf, type CloseReason, type SyncMessage } from './sync-messages';
import type { SyncHub } from './sync-hub';
import type { SyncMetrics, Transport } from './sync.metrics';
import type { SyncIdentity } from './tickets';

/** One transport's way to reach its client. */
export interface SyncSink {
  readonly transport: Transport;
  send(message: SyncMessage): void;
  /** Bytes accepted but not yet handed to the network: the connection's send queue. */
  queuedBytes(): number;
  end(reason?: CloseReason): void;
}

export interface SessionLimits {
  heartbeatMs: number;
  queueLimitBytes: number;
  /** How long a full queue may take to drain before its reader counts as slow and is cut. */
  slowConsumerMs: number;
  batchSize: number;
  maxDataBytes: number;
}

export interface SessionDeps {
  reader: FeedReader;
  tail: FeedTail;
  cursors: FeedCursors;
  hub: SyncHub;
  metrics: SyncMetrics;
  logger: JsonLogger;
  limits: SessionLimits;
}

/**
 * A client's live feed, whatever the transport: sends `connected` (and `reset`
 * when its cursor could not be resumed), then every change after its position
 * in order, read from the database each time a commit is announced. A client
 * whose queue outgrows the limit is cut with its resume cursor; a connection
 * whose token expires is closed.
 */
export class SyncSession {
  private position: number;
  private closed = false;
  private pumping = false;
  private admin?: boolean;
  private again = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(readonly identity: SyncIdentity, start: ResumePoint, private readonly sink: SyncSink, private readonly deps: SessionDeps) {
    this.position = start.position;
  }

  get userId(): string {
    return this.identity.userId;
  }

  open(start: ResumePoint, resumed: boolean): void {
    const { hub, limits, metrics } = this.deps;
    hub.join(this);
    metrics.connections.inc({ transport: this.sink.transport });
    if (resumed) metrics.reconnections.inc({ transport: this.sink.transport });
    const cursor = this.cursor();
    this.send({ type: 'connected', userId: this.userId, cursor, resumed: resumed && !start.reset, heartbeatMs: limits.heartbeatMs, timestamp: Date.now() });
    if (start.reset) this.send({ type: 'reset', reason: start.reset, cursor, timestamp: Date.now() });
    this.timers.push(setInterval(() => this.send({ type: 'heartbeat', timestamp: Date.now() }), limits.heartbeatMs));
    // setTimeout holds at most ~24.8 days; a longer-lived token is re-checked then.
    const untilExpiry = Math.min(this.identity.exp * 1000 - Date.now(), 2 ** 31 - 1);
    this.timers.push(setTimeout(() => this.close('token_expired'), Math.max(untilExpiry, 0)));
    this.wake();
  }

  wake(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.pump().finally(() => (this.pumping = false));
  }

  close(reason?: CloseReason): void {
    if (this.closed) return;
    if (reason) this.send({ type: 'closing', reason, cursor: this.cursor(), timestamp: Date.now() });
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.deps.hub.leave(this);
    this.deps.metrics.connections.dec({ transport: this.sink.transport });
    this.sink.end(reason);
  }

  private async pump(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.drain();
      } while (this.again && !this.closed);
    } catch (err) {
      this.deps.logger.event('warn', 'sync session failed to read its feed', { userId: this.userId, error: (err as Error).message });
      this.close();
    }
  }

  /**
   * Caught up: this instance's shared tail answers without a query. Behind it
   * (resume, slow reader): the session reads its own feed from the database
   * until it reaches the tail.
   */
  private async drain(): Promise<void> {
    const { reader, tail, limits } = this.deps;
    this.admin ??= await reader.isAdmin(this.userId);
    for (;;) {
      const slice = tail.slice(this.userId, this.admin, this.position);
      if (slice) {
        if (await this.deliver(slice.rows)) this.position = Math.max(this.position, slice.upTo);
        return;
      }
      // Everything up to what the tail has read was committed before this read, so it is all seen here.
      const known = tail.position;
      const rows = await reader.read(this.userId, this.position, limits.batchSize);
      if (!(await this.deliver(rows))) return;
      if (rows.length < limits.batchSize) {
        this.position = Math.max(this.position, known);
        if (known < 0) return;
      }
    }
  }

  /** Sends rows in order, moving the position with each; false if the session closed meanwhile. */
  private async deliver(rows: FeedRow[]): Promise<boolean> {
    const { limits, metrics } = this.deps;
    for (const row of rows) {
      if (this.closed) return false;
      this.position = row.position;
      this.send({ ...dataChangeOf(row, limits.maxDataBytes), cursor: this.cursor() });
      metrics.deliveryLatency.observe({ transport: this.sink.transport }, Math.max(0, Date.now() - row.recordedAt.getTime()) / 1000);
      // Backpressure: read no further until the queue drains; a reader that cannot keep up is cut.
      if (this.sink.queuedBytes() > limits.queueLimitBytes && !(await this.drained())) {
        metrics.slowConsumersDropped.inc({ transport: this.sink.transport });
        this.close('slow_consumer');
        return false;
      }
    }
    return !this.closed;
  }

  private async drained(): Promise<boolean> {
    const { queueLimitBytes, slowConsumerMs } = this.deps.limits;
    const deadline = Date.now() + slowConsumerMs;
    while (!this.closed && this.sink.queuedBytes() > queueLimitBytes) {
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  private send(message: SyncMessage): void {
    if (this.closed) return;
    this.sink.send(message);
    this.deps.metrics.messagesSent.inc({ transport: this.sink.transport, type: message.type });
  }

  private cursor(): string {
    return this.deps.cursors.issue(this.userId, this.position);
  }
}
