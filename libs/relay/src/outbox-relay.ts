import type { DataSource } from 'typeorm';
import { eventSubject, type BoundedContext } from '@ripple/contracts';
import { isNoStream, isNotFound, type Broker, type StreamSettings } from '@ripple/messaging';
import { endSpan, SpanKind, startSpan, traceparentOf, type JsonLogger, type RippleMetrics } from '@ripple/observability';
import { StreamGuard } from './stream-guard';
import { handedEvent, rowToEnvelope, type EventRow, type HandedEvent, LeaderLease, leaseKey, Listener, wakeLocally, outboxChannel, quoteIdent } from '@ripple/event-store';

export interface OutboxRelayOptions {
  schema: string;
  context: BoundedContext;
  namespace: string;
  /** Connection string for the LISTEN and lease connections. */
  databaseUrl: string;
  batchSize?: number;
  /** Fallback poll when a notification is missed (e.g. LISTEN connection down); how often a standby tries to lead. */
  pollIntervalMs?: number;
  /** How the stream is created when it is found missing. */
  streams?: StreamSettings;
}

/**
 * Publishes committed events to JetStream with Nats-Msg-Id = event id and marks
 * them published only after the PubAck. One relay per schema is active at a time:
 * it holds the schema's leader lease (a standby takes over when the lease's
 * connection dies), so publish order follows commit order for every
 * aggregate and a batch costs two statements. A crash between PubAck and the
 * mark leads to a republish that the broker drops as a duplicate (and consumers
 * ignore by version anyway). A stream found missing, or behind what its PubAcks
 * said, is re-created and refilled from the event store (see StreamGuard).
 */
export class OutboxRelay {
  private readonly table: string;
  private readonly listener: Listener;
  private readonly lease: LeaderLease;
  private wake?: () => void;
  private running = false;
  /** Set by a notification that arrived while a batch was in flight. */
  private notified = false;
  /** Set by a wake-up that handed no events (a NOTIFY, a reconnect, a republish): the next pass reads the outbox. */
  private scan = true;
  /** Events this process committed, handed over after their commit, not yet published (see publishHanded). */
  private handed: HandedEvent[] = [];
  /** Per aggregate, the last version this relay saw acknowledged, while it leads (bounded). */
  private readonly published = new LastVersions(LAST_VERSIONS_KEPT);
  private loop?: Promise<void>;
  private unwakeLocally?: () => void;
  private readonly guard: StreamGuard;

  constructor(
    private readonly dataSource: DataSource,
    private readonly broker: Broker,
    private readonly opts: OutboxRelayOptions,
    private readonly metrics: RippleMetrics,
    private readonly logger: JsonLogger,
  ) {
    this.table = `${quoteIdent(opts.schema)}.events`;
    // A wake-up lost while LISTEN was down is made up for by one more pass.
    this.listener = new Listener({
      databaseUrl: opts.databaseUrl, applicationName: `ripple-outbox-${opts.schema}`, who: 'outbox relay', logger, reconnected: () => this.notifyCommitted(true),
    }).on(outboxChannel(opts.schema), () => this.notifyCommitted(true));
    this.lease = new LeaderLease({
      databaseUrl: opts.databaseUrl,
      key: leaseKey('outbox-relay', opts.schema),
      onLost: (err) => logger.event('warn', 'outbox relay lost its lease connection (and its lock); a standby may take over', { error: err.message }),
    });
    this.guard = new StreamGuard(dataSource, broker, opts, logger);
    metrics.measureOutboxBacklog(() => this.backlog());
  }

  /** True while this instance holds the schema's lease (it is the active relay). */
  get isLeader(): boolean {
    return this.lease.isLeader;
  }

  async start(): Promise<void> {
    this.running = true;
    // Appends in this process wake the active relay directly, handing it the events they committed;
    // a standby lets the NOTIFY go to the leader.
    this.unwakeLocally = wakeLocally(outboxChannel(this.opts.schema), (local) => {
      if (!this.lease.isLeader) return false;
      const events = local.flat() as HandedEvent[];
      this.handed.push(...events);
      this.notifyCommitted(events.length === 0);
      return true;
    });
    await this.listener.start();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.unwakeLocally?.();
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener.close();
    await this.lease.release();
  }

  /** Publishes one batch read from the outbox (every unpublished event, in position order); returns how many. The run loop calls it only while leading. */
  async publishBatch(): Promise<number> {
    const rows: (EventRow & { position: string })[] = await this.dataSource.query(
      `SELECT * FROM ${this.table} WHERE published_at IS NULL ORDER BY position LIMIT $1`,
      [this.opts.batchSize ?? 500],
    );
    if (rows.length === 0) return 0;
    const events = rows.map((r) => handedEvent(rowToEnvelope(r)));
    await this.publish(events, `position = ANY($1::bigint[])`, rows.map((r) => r.position));
    // Published by this pass: no need to send them again when their hand-over comes round.
    const done = new Set(events.map((e) => e.id));
    this.handed = this.handed.filter((e) => !done.has(e.id));
    return rows.length;
  }

  /**
   * Publishes what this process's appends handed over after their commit, without reading the
   * outbox back: one statement per batch (the mark) instead of two. Only events whose
   * predecessor in their aggregate this relay has itself seen acknowledged (or that start their
   * aggregate) go this way, so no earlier event of the aggregate can still be waiting in the
   * outbox and per-aggregate order holds; anything else makes the pass read the outbox instead.
   * Returns how many it published, or -1 when the outbox must be read.
   */
  async publishHanded(): Promise<number> {
    const batch = this.handed.slice(0, this.opts.batchSize ?? 500);
    const next = new Map<string, number>();
    for (const e of batch) {
      const key = `${e.aggregateType}/${e.aggregateId}`;
      const last = next.get(key) ?? this.published.get(key) ?? 0;
      if (e.aggregateVersion !== last + 1) return -1;
      next.set(key, e.aggregateVersion);
    }
    this.handed = this.handed.slice(batch.length);
    if (batch.length === 0) return 0;
    await this.publish(batch, `id = ANY($1::uuid[]) AND published_at IS NULL`, batch.map((e) => e.id));
    return batch.length;
  }

  /** Publishes `events` (in this order) and, once JetStream acknowledged every one, marks the rows `where` picks. */
  private async publish(events: HandedEvent[], where: string, keys: string[]): Promise<void> {
    const acks = events.map((e) => {
      const subject = eventSubject(this.opts.namespace, this.opts.context, e.aggregateType, e.aggregateId, e.type);
      // A traced event leaves as a child of its publish span, so consumers follow on from the relay.
      const span = e.traceparent ? startSpan(`publish ${e.type}`, SpanKind.PRODUCER, e.traceparent, { 'messaging.system': 'nats', 'messaging.destination.name': subject, 'ripple.event.id': e.id }) : undefined;
      const json = span ? JSON.stringify({ ...JSON.parse(e.json), traceparent: traceparentOf(span) }) : e.json;
      const ack = this.broker.js.publish(subject, json, { msgID: e.id, timeout: 10_000 });
      return span ? ack.then((a) => (endSpan(span), a), (err) => (endSpan(span, err), Promise.reject(err))) : ack;
    });
    const regressed = this.guard.noteAcks(await Promise.all(acks));
    for (const e of events) this.published.set(`${e.aggregateType}/${e.aggregateId}`, e.aggregateVersion);
    await this.dataSource.query(`UPDATE ${this.table} SET published_at = now() WHERE ${where}`, [keys]);
    this.metrics.eventsPublished.inc(events.length);
    if (regressed) await this.checkStream();
  }

  /** While leading: re-creates the stream if it is gone, and republishes what it lost. Never throws. */
  async checkStream(): Promise<void> {
    if (!this.lease.isLeader) return;
    await this.guard.check().catch((err) => this.logger.event('warn', 'checking the outbox stream failed', { error: (err as Error).message }));
  }

  async backlog(): Promise<number> {
    const [{ n }] = await this.dataSource.query(`SELECT count(*)::int AS n FROM ${this.table} WHERE published_at IS NULL`);
    return n;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        if (!this.lease.isLeader && !(await this.lead())) {
          await this.standby(this.opts.pollIntervalMs ?? 1000);
          continue;
        }
        this.notified = false;
        let n = this.scan ? -1 : await this.publishHanded();
        if (n < 0) {
          // Read the outbox: a wake-up from elsewhere, the fallback poll, or a hand-over out of line.
          this.scan = false;
          n = await this.publishBatch();
        }
        failures = 0;
        // A full batch may have left more behind; a partial one took everything committed
        // before it started, and anything committed since has notified (sleep returns at once).
        if (n === (this.opts.batchSize ?? 500) || this.handed.length > 0) continue;
        if (!(await this.sleep(this.opts.pollIntervalMs ?? 1000))) this.scan = true;
      } catch (err) {
        failures++;
        const delay = Math.min(100 * 2 ** failures, 10_000);
        this.logger.event('warn', 'outbox relay failed; retrying', { error: (err as Error).message, retryInMs: delay });
        // What failed is read again from the outbox.
        this.scan = true;
        if (isNoStream(err) || isNotFound(err)) await this.checkStream();
        await this.sleep(delay);
      }
    }
  }

  /** Takes the schema's lease if no one else holds it; false also while PostgreSQL cannot be reached (the Listener says so). */
  private async lead(): Promise<boolean> {
    if (!(await this.lease.tryAcquire().catch(() => false))) return false;
    this.logger.event('info', 'outbox relay active', { schema: this.opts.schema });
    // What another leader published meanwhile is not known here: start from the outbox.
    this.published.clear();
    this.handed = [];
    this.scan = true;
    this.guard.reset();
    await this.checkStream();
    return true;
  }

  /** A standby waits out notifications (they are the leader's work) and wakes only to try again, or to stop. */
  private standby(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        if (this.running) return;
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Waits for a wake-up or `ms`; true if woken (false: the time ran out, as for the fallback poll). */
  private sleep(ms: number): Promise<boolean> {
    if (this.notified || !this.running) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => done(false), ms);
      const done = (woken = true) => {
        clearTimeout(t);
        resolve(woken);
      };
      this.wake = () => done(true);
    });
  }

  /** Something committed: the next pass (or the one in flight, then one more) picks it up; `scan`: it must read the outbox to. */
  private notifyCommitted(scan: boolean): void {
    if (scan) this.scan = true;
    this.notified = true;
    this.wake?.();
  }
}

/** Versions kept per aggregate for the hand-over's order check; the oldest are forgotten (their next event reads the outbox). */
const LAST_VERSIONS_KEPT = 100_000;

/** A map that forgets its least recently set entries beyond `limit`. */
class LastVersions {
  private readonly entries = new Map<string, number>();
  constructor(private readonly limit: number) {}
  get(key: string): number | undefined {
    return this.entries.get(key);
  }
  set(key: string, version: number): void {
    this.entries.delete(key);
    this.entries.set(key, version);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
  }
  clear(): void {
    this.entries.clear();
  }
}
