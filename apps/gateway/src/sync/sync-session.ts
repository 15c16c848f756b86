import type { JsonLogger } from '@ripple/observability';
import type { FeedCursors, ResumePoint } from '../feed/feed-cursors';
import type { FeedReader, FeedRow } from '../feed/feed-reader';
import type { FeedTail, TailChanges } from '../feed/feed-tail';
import { startDeliverySpan } from './delivery-span';
import { ChangeFrames, Frame, type CloseReason } from './sync-messages';
import type { SyncHub } from './sync-hub';
import type { SyncMetrics, Transport } from './sync.metrics';
import type { SyncIdentity } from './tickets';

/** One transport's way to reach its client. */
export interface SyncSink {
  readonly transport: Transport;
  send(frame: Frame): void;
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
 * in order. Caught up, it takes its changes from the shared tail the moment
 * the hub wakes it, without a query or a promise; behind (resume, slow reader)
 * it reads its own feed from the database. A client whose queue outgrows the
 * limit is cut with its resume cursor; the hub closes it when its token
 * expires and sends its heartbeats.
 */
export class SyncSession {
  private position: number;
  private closed = false;
  private pumping = false;
  /** From the token: a role change revokes it, so the role it claims is the user's. */
  private readonly admin: boolean;
  private again = false;

  constructor(readonly identity: SyncIdentity, start: ResumePoint, private readonly sink: SyncSink, private readonly deps: SessionDeps) {
    this.position = start.position;
    this.admin = identity.role === 'admin';
  }

  get userId(): string {
    return this.identity.userId;
  }

  get expiresAt(): number {
    return this.identity.exp;
  }

  get tokenVersion(): number {
    return this.identity.tokenVersion;
  }

  get heartbeatMs(): number {
    return this.deps.limits.heartbeatMs;
  }

  open(start: ResumePoint, resumed: boolean): void {
    const { hub, limits, metrics } = this.deps;
    hub.join(this);
    metrics.connections.inc({ transport: this.sink.transport });
    if (resumed) metrics.reconnections.inc({ transport: this.sink.transport });
    const cursor = this.cursor();
    this.send(Frame.of({ type: 'connected', userId: this.userId, cursor, resumed: resumed && !start.reset, heartbeatMs: limits.heartbeatMs, timestamp: Date.now() }));
    if (start.reset) this.send(Frame.of({ type: 'reset', reason: start.reset, cursor, timestamp: Date.now() }));
    this.wake();
  }

  /** Delivers what is new for it. `changed` (from the hub) lets a session the changes are not for skip them unread. */
  wake(changed?: TailChanges): void {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    if (changed && !this.admin && this.position >= changed.from && !changed.users.has(this.userId)) {
      this.position = Math.max(this.position, changed.to);
      return;
    }
    try {
      if (this.fromTail() === 'done') return;
    } catch (err) {
      return this.fail(err as Error);
    }
    this.pumping = true;
    void this.pump();
  }

  close(reason?: CloseReason): void {
    if (this.closed) return;
    if (reason) this.send(Frame.of({ type: 'closing', reason, cursor: this.cursor(), timestamp: Date.now() }));
    this.closed = true;
    this.deps.hub.leave(this);
    this.deps.metrics.connections.dec({ transport: this.sink.transport });
    this.sink.end(reason);
  }

  send(frame: Frame): void {
    if (this.closed) return;
    this.sink.send(frame);
    this.deps.metrics.messagesSent.inc({ transport: this.sink.transport, type: frame.type });
  }

  private async pump(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.drain();
      } while (this.again && !this.closed);
    } catch (err) {
      this.fail(err as Error);
    } finally {
      // In the same step as the last look at `again`: a wake in between would be lost.
      this.pumping = false;
    }
  }

  private fail(err: Error): void {
    this.deps.logger.event('warn', 'sync session failed to read its feed', { userId: this.userId, error: err.message });
    this.close();
  }

  /**
   * Until caught up: waits while the queue is over its limit (cutting a reader
   * that does not drain it in time), takes what the shared tail holds, and
   * reads its own feed from the database while it is behind the tail.
   */
  private async drain(): Promise<void> {
    const { reader, tail, limits, metrics } = this.deps;
    for (;;) {
      if (this.closed) return;
      if (this.sink.queuedBytes() > limits.queueLimitBytes && !(await this.drained())) {
        metrics.slowConsumersDropped.inc({ transport: this.sink.transport });
        this.close('slow_consumer');
        return;
      }
      const fromTail = this.fromTail();
      if (fromTail === 'done') return;
      if (fromTail === 'full') continue;
      // Everything up to what the tail has read was committed before this read, so it is all seen here.
      const known = tail.position;
      const rows = await reader.read({ userId: this.userId, admin: this.admin }, this.position, limits.batchSize);
      if (!this.sendRows(rows)) continue;
      if (rows.length < limits.batchSize) {
        this.position = Math.max(this.position, known);
        if (known < 0) return;
      }
    }
  }

  /** The shared tail's rows for this session: all sent ('done'), the queue filled first ('full'), or it does not reach back far enough ('behind'). */
  private fromTail(): 'done' | 'full' | 'behind' {
    const slice = this.deps.tail.slice(this.userId, this.admin, this.position);
    if (!slice) return 'behind';
    if (!this.sendRows(slice.rows)) return 'full';
    this.position = Math.max(this.position, slice.upTo);
    return 'done';
  }

  /** Sends rows in order, moving the position with each; false when it stopped early (queue over its limit, or closed). */
  private sendRows(rows: FeedRow[]): boolean {
    if (rows.length === 0) return !this.closed;
    const { hub, cursors, limits, metrics } = this.deps;
    const frames = hub.changeFrames(() => new ChangeFrames(limits.maxDataBytes, (userId, position) => cursors.issue(userId, position)));
    const transport = { transport: this.sink.transport };
    for (const row of rows) {
      if (this.closed) return false;
      this.position = row.position;
      const span = row.traceparent ? startDeliverySpan(this.sink.transport, row as FeedRow & { traceparent: string }, this.userId) : undefined;
      this.send(frames.frame(this.userId, row));
      span?.end();
      metrics.deliveryLatency.observe(transport, Math.max(0, Date.now() - row.recordedAt.getTime()) / 1000);
      if (this.sink.queuedBytes() > limits.queueLimitBytes) return false;
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

  private cursor(): string {
    return this.deps.cursors.issue(this.userId, this.position);
  }
}
