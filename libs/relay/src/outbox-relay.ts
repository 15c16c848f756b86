import type { DataSource } from 'typeorm';
import { eventSubject, type BoundedContext } from '@ripple/contracts';
import { isNoStream, isNotFound, type Broker, type StreamSettings } from '@ripple/messaging';
import { endSpan, SpanKind, startSpan, traceparentOf, type JsonLogger, type RippleMetrics } from '@ripple/observability';
import { StreamGuard } from './stream-guard';
import type { PubAck } from '@nats-io/jetstream';
import type { EventEnvelope } from '@ripple/contracts';
import { EventStore, rowToEnvelope, type Appended, type AppendedOutbox, type EventRow, LeaderLease, leaseKey, Listener, wakeLocally, outboxChannel, queryWithoutFlush, quoteIdent } from '@ripple/event-store';

/** How long published events wait for the next pass to carry their mark before it goes alone. */
const MARK_DELAY_MS = 200;
/** How often the leader compacts `outbox_published` (on the pipeline's periodic check). */
const COMPACT_EVERY_MS = 3_600_000;

interface Published {
  position: string;
  /** The row version that was read; a republish scheduled since has rewritten it. */
  xmin: string;
}

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
 * connection dies), so publish order follows commit order for every aggregate.
 *
 * A pass is one statement: it marks what the previous pass published and reads
 * what is left (`passSql`). An append in this process needs no pass at all when
 * its statement found each of its streams' previous events gone from the outbox
 * (`AppendedOutbox.clear`): the relay publishes it from memory as handed over
 * after its commit. Everything else (appends of other processes, which NOTIFY,
 * or ones that found an earlier event of their stream waiting) goes by a pass,
 * and the relay does one more every poll interval. Passes and publishes from
 * memory take turns, so a pass never overtakes a publish in flight. At low rates
 * a round trip to PostgreSQL costs more than the statement it carries, so a mark
 * waits for the next pass, or MARK_DELAY_MS when none comes. A crash between
 * PubAck and the mark leads to a republish that the broker drops as a duplicate
 * (and consumers ignore by version anyway), and so does a mark lost with a crash
 * of PostgreSQL: marks are committed without waiting for the WAL flush. A stream
 * found missing, or behind what its PubAcks said, is re-created and refilled from
 * the event store (see StreamGuard).
 */
export class OutboxRelay {
  private readonly outbox: string;
  private readonly listener: Listener;
  private readonly lease: LeaderLease;
  private wake?: () => void;
  private running = false;
  /** Something committed that only a pass finds (or the poll interval passed): the next turn is a pass. */
  private passDue = true;
  /** Appends of this process, committed and clear to go from memory, in commit order (see AppendedOutbox.clear). */
  private direct: Appended[] = [];
  private loop?: Promise<void>;
  private unwakeLocally?: () => void;
  private unwatchConnection?: () => void;
  private readonly guard: StreamGuard;
  /** Published (PubAck'd) but not yet marked: the next pass marks them, or markPublished(). */
  private unmarked: Published[] = [];
  /** Taken out of `unmarked` by a mark in flight (see backlog). */
  private marking: Published[] = [];
  /** When the oldest of `unmarked` was published: its mark goes alone once it has waited MARK_DELAY_MS. */
  private unmarkedSince = 0;
  private compactedAt = 0;
  /** The publishes waiting for their PubAck, by how to fail each (see watchConnection). */
  private readonly awaitingAck = new Set<(err: Error) => void>();
  /** Ends the wait after a failure early: the broker connection is back (see watchConnection). */
  private brokerBack?: () => void;
  private readonly passSql: string;
  private readonly markSql: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly broker: Broker,
    private readonly opts: OutboxRelayOptions,
    private readonly metrics: RippleMetrics,
    private readonly logger: JsonLogger,
  ) {
    const schema = quoteIdent(opts.schema);
    this.outbox = `${schema}.outbox`;
    // An outbox row is deleted only if nothing rewrote it since it was read (its xmin): a republish
    // scheduled meanwhile (EventStore.scheduleRepublish rewrites the rows still here too) wins over the mark.
    // The lowest position marked goes to its minute in outbox_published, for a republish "since" a time.
    const marks = `marked AS (DELETE FROM ${this.outbox} o USING unnest($1::bigint[], $2::xid[]) AS p(position, xmin)
        WHERE o.position = p.position AND o.xmin = p.xmin RETURNING o.position),
      logged AS (INSERT INTO ${schema}.outbox_published AS l (minute, low_position)
        SELECT date_trunc('minute', now()), min(position) FROM marked HAVING count(*) > 0
        ON CONFLICT (minute) DO UPDATE SET low_position = least(l.low_position, excluded.low_position))`;
    this.markSql = `WITH ${marks} SELECT count(*) FROM marked`;
    // The statement's snapshot predates its own marks: what it marked is left out by position; what it
    // could not mark (rewritten by a republish) is still in the outbox, so it is read again. Each event is
    // fetched by its position (a LATERAL with LIMIT is not flattened into a join): planned as a join, it
    // became a merge join that walked the event store from its first row once the planner had no
    // statistics to go by (autovacuum off). An outbox row without its event (removed by hand) comes back
    // with no event, and is deleted like a published one.
    this.passSql = `WITH ${marks}
      SELECT e.*, o.position AS outbox_position, o.xmin AS row_xmin
      FROM (SELECT position, xmin FROM ${this.outbox} WHERE position NOT IN (SELECT position FROM marked) ORDER BY position LIMIT $3) o
      LEFT JOIN LATERAL (SELECT * FROM ${schema}.events e WHERE e.position = o.position LIMIT 1) e ON true
      ORDER BY o.position`;
    // A wake-up lost while LISTEN was down is made up for by one more pass.
    this.listener = new Listener({
      databaseUrl: opts.databaseUrl, applicationName: `ripple-outbox-${opts.schema}`, who: 'outbox relay', logger, reconnected: () => this.notifyCommitted(),
    }).on(outboxChannel(opts.schema), () => this.notifyCommitted());
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
    // Appends in this process reach the active relay directly; a standby lets the NOTIFY go to the leader.
    this.unwakeLocally = wakeLocally(outboxChannel(this.opts.schema), (local) => {
      if (!this.lease.isLeader) return false;
      this.takeCommitted(local as readonly Appended[]);
      return true;
    });
    await this.listener.start();
    this.watchConnection();
    this.loop = this.run();
  }

  /**
   * A publish whose connection to the broker drops before its PubAck will never get one (the
   * server that would have answered is gone, or has forgotten the request): fail it at once
   * instead of after its 10 s timeout, so the pass is retried as soon as the client has
   * reconnected. Whatever the broker did store is dropped as a duplicate by its Nats-Msg-Id.
   */
  private watchConnection(): void {
    const statuses = this.broker.nc.status();
    // nats-core's status iterator can be stopped (QueuedIterator), which ends the loop and drops its listener.
    this.unwatchConnection = () => (statuses as { stop?: () => void }).stop?.();
    void (async () => {
      for await (const status of statuses) {
        if (status.type !== 'disconnect' && status.type !== 'reconnect') continue;
        const lost = new Error(status.type === 'disconnect'
          ? `the connection to the broker (${status.server}) dropped before the PubAck`
          : `published while the connection to the broker (${status.server}) was down`);
        for (const fail of this.awaitingAck) fail(lost);
        this.awaitingAck.clear();
        if (status.type === 'reconnect') this.brokerBack?.();
      }
    })().catch((err) => this.logger.event('warn', 'watching the broker connection failed', { error: (err as Error).message }));
  }

  async stop(): Promise<void> {
    this.unwakeLocally?.();
    this.unwatchConnection?.();
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener.close();
    await this.lease.release();
  }

  /** Publishes one batch (and marks the previous one); returns how many events it published. The run loop calls it only while leading. */
  async publishBatch(): Promise<number> {
    // Prepared: a pass at low rates carries one event, and parsing and planning the statement cost more than running it.
    // Its marks do not wait to reach the disk (see markPublished); a pass that marks nothing writes nothing to flush.
    const read = await queryWithoutFlush<EventRow & { outbox_position: string; row_xmin: string }>(this.dataSource, this.passSql, [
      this.unmarked.map((m) => m.position), this.unmarked.map((m) => m.xmin), this.opts.batchSize ?? 500,
    ]);
    this.unmarked = [];
    if (read.length === 0) return 0;
    await this.publish(read.filter((r) => r.id !== null).map(rowToEnvelope), read.map((r) => ({ position: r.outbox_position, xmin: r.row_xmin })));
    return read.length;
  }

  /** Publishes appends of this process from memory (see AppendedOutbox.clear), in the order given. */
  async publishDirect(appended: readonly (Appended & { outbox: AppendedOutbox })[]): Promise<void> {
    await this.publish(appended.flatMap((a) => a.events), appended.flatMap(({ outbox }) => outbox.positions.map((position) => ({ position, xmin: outbox.xmin }))));
  }

  /** Publishes `events` in order, awaits every PubAck, and leaves `rows` (their outbox rows) to be marked. */
  private async publish(events: readonly EventEnvelope[], rows: Published[]): Promise<void> {
    const regressed = this.guard.noteAcks(await Promise.all(events.map((e) => this.publishOne(e))));
    if (this.unmarked.length === 0) this.unmarkedSince = Date.now();
    this.unmarked.push(...rows);
    this.metrics.eventsPublished.inc(events.length);
    if (regressed) await this.checkStream();
  }

  private publishOne(event: EventEnvelope): Promise<PubAck> {
    const subject = eventSubject(this.opts.namespace, this.opts.context, event.aggregateType, event.aggregateId, event.type);
    // A traced event leaves as a child of its publish span, so consumers follow on from the relay.
    const span = event.traceparent ? startSpan(`publish ${event.type}`, SpanKind.PRODUCER, event.traceparent, { 'messaging.system': 'nats', 'messaging.destination.name': subject, 'ripple.event.id': event.id }) : undefined;
    // A copy: an event from memory is also the appender's.
    const e = span ? { ...event, traceparent: traceparentOf(span) } : event;
    const ack = new Promise<PubAck>((resolve, reject) => {
      this.awaitingAck.add(reject);
      this.broker.js.publish(subject, JSON.stringify(e), { msgID: e.id, timeout: 10_000 }).then(
        (a) => (this.awaitingAck.delete(reject), resolve(a)),
        (err) => (this.awaitingAck.delete(reject), reject(err)),
      );
    });
    return span ? ack.then((a) => (endSpan(span), a), (err) => (endSpan(span, err), Promise.reject(err))) : ack;
  }

  /**
   * Marks what was published and is not marked yet, on its own (the run loop does when no pass follows soon, and on stop).
   * A mark's commit does not wait for the WAL flush (queryWithoutFlush): a mark lost with a crash of PostgreSQL
   * is a republish the broker drops as a duplicate, like one lost with the relay between PubAck and mark, and
   * waiting for the disk here held up the next pass's read, so the next event's publish, by a flush (on this
   * kind of machine, now and then by a disk stall of hundreds of milliseconds).
   */
  async markPublished(): Promise<void> {
    if (this.unmarked.length === 0) return;
    const marks = this.unmarked;
    this.unmarked = [];
    this.marking = marks;
    try {
      await queryWithoutFlush(this.dataSource, this.markSql, [marks.map((m) => m.position), marks.map((m) => m.xmin)]);
    } catch (err) {
      this.unmarked = [...marks, ...this.unmarked];
      throw err;
    } finally {
      this.marking = [];
    }
  }

  /**
   * While leading: re-creates the stream if it is gone, and republishes what it lost; at most once
   * an hour, also compacts the log of what was published when (EventStore.compactPublishedLog). Never throws.
   */
  async checkStream(): Promise<void> {
    if (!this.lease.isLeader) return;
    await this.guard.check().catch((err) => this.logger.event('warn', 'checking the outbox stream failed', { error: (err as Error).message }));
    if (Date.now() - this.compactedAt < COMPACT_EVERY_MS) return;
    this.compactedAt = Date.now();
    await new EventStore(this.opts.schema).compactPublishedLog(this.dataSource)
      .catch((err) => this.logger.event('warn', 'compacting the outbox publish log failed', { error: (err as Error).message }));
  }

  async backlog(): Promise<number> {
    // Published but not marked yet is not backlog, nor is a row whose mark is in flight (still
    // there if the count's snapshot predates the mark's commit, gone if not): left out by row version.
    const published = [...this.unmarked, ...this.marking];
    const [{ n }] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM ${this.outbox} o WHERE (o.position, o.xmin::text) NOT IN (SELECT * FROM unnest($1::bigint[], $2::text[]))`,
      [published.map((m) => m.position), published.map((m) => m.xmin)]);
    return n;
  }

  private async run(): Promise<void> {
    let failures = 0;
    const poll = this.opts.pollIntervalMs ?? 1000;
    const markDelay = Math.min(MARK_DELAY_MS, poll);
    while (this.running) {
      try {
        if (!this.lease.isLeader && !(await this.lead())) {
          await this.standby(poll);
          continue;
        }
        const direct = this.direct;
        this.direct = [];
        if (this.passDue || direct.length === 0) {
          // The pass reads what was handed over before it too: it is all committed, and in the outbox.
          this.passDue = false;
          const n = await this.publishBatch();
          // A full batch may have left more behind; a partial one took everything committed before it started.
          if (n === (this.opts.batchSize ?? 500)) this.passDue = true;
        } else {
          await this.publishDirect(direct as (Appended & { outbox: AppendedOutbox })[]);
        }
        failures = 0;
        // Marks ride with the next pass if one comes soon; otherwise they go alone.
        if (this.unmarked.length > 0 && Date.now() - this.unmarkedSince >= markDelay) await this.markPublished();
        if (this.hasWork()) continue;
        if (this.unmarked.length > 0) {
          await this.sleep(markDelay - (Date.now() - this.unmarkedSince));
          if (this.hasWork() || !this.running) continue;
          await this.markPublished();
        }
        if (!(await this.sleep(poll))) this.passDue = true;
      } catch (err) {
        failures++;
        this.passDue = true;
        const delay = Math.min(100 * 2 ** failures, 10_000);
        this.logger.event('warn', 'outbox relay failed; retrying', { error: (err as Error).message, retryInMs: delay });
        if (isNoStream(err) || isNotFound(err)) await this.checkStream();
        await this.standby(delay, true);
      }
    }
    // Left unmarked (PostgreSQL down, say), they are published again and dropped as duplicates.
    await this.markPublished().catch((err) => this.logger.event('warn', 'marking published events failed; they will be published again', { error: (err as Error).message }));
  }

  /** Takes the schema's lease if no one else holds it; false also while PostgreSQL cannot be reached (the Listener says so). */
  private async lead(): Promise<boolean> {
    if (!(await this.lease.tryAcquire().catch(() => false))) return false;
    this.logger.event('info', 'outbox relay active', { schema: this.opts.schema });
    // Another relay may have led meanwhile: start from the outbox itself.
    this.passDue = true;
    this.direct = [];
    this.guard.reset();
    await this.checkStream();
    return true;
  }

  /**
   * Waits `ms` whatever commits meanwhile (a standby: they are the leader's work; after a failure:
   * the back-off), unless stopped, or (`untilBrokerBack`) until the broker connection is back.
   */
  private standby(ms: number, untilBrokerBack = false): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.brokerBack = undefined;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wake = () => {
        if (!this.running) done();
      };
      if (untilBrokerBack) this.brokerBack = done;
    });
  }

  private hasWork(): boolean {
    return this.passDue || this.direct.length > 0;
  }

  /** Resolves true when woken (work arrived, or stop), false when `ms` passed. */
  private sleep(ms: number): Promise<boolean> {
    if (this.hasWork() || !this.running) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), Math.max(0, ms));
      this.wake = () => {
        clearTimeout(t);
        resolve(true);
      };
    });
  }

  /** Something committed: the next pass (or the one in flight, then one more) picks it up. */
  private notifyCommitted(): void {
    this.passDue = true;
    this.wake?.();
  }

  /**
   * What this process's appends handed over on commit: publishes from memory what is clear to, and a pass for the rest.
   * Not clear includes a stream whose previous event this relay has published but not marked yet (a stream updated more
   * often than marks go out): sent from memory too, such appends made smaller turns under load than passes, which carry
   * whatever committed during their read, and the command path lost about a tenth (see the README's Benchmarks).
   */
  private takeCommitted(appended: readonly Appended[]): void {
    for (const a of appended) {
      if (a.outbox?.clear) this.direct.push(a);
      else this.passDue = true;
    }
    // A commit with nothing handed over (a republish scheduled, say) needs a pass too.
    if (appended.length === 0) this.passDue = true;
    this.wake?.();
  }
}
