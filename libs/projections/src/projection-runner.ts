import type { DataSource } from 'typeorm';
import { AckPolicy, DeliverPolicy, type ConsumeCallback, type ConsumerMessages, type FetchOptions, type JsMsg } from '@nats-io/jetstream';
import { allEventsSubject, streamName, type DomainEvent } from '@ripple/contracts';
import { isDatabaseUnavailable, LeaderLease, leaseKey } from '@ripple/event-store';
import { decodeForProjection } from './decode';
import { ensureStream, isNotFound, type Broker, type StreamSettings } from '@ripple/messaging';
import { tracingOn, withLogContext, type JsonLogger, type RippleMetrics } from '@ripple/observability';
import { applyBatchAlone } from './apply-batch';
import { endApplySpans, startApplySpans } from './apply-spans';
import type { Outcome } from './batch-plan';
import type { DeadLetterStore } from './dead-letters';
import { PermanentProjectionError, type Projection } from './projection';

export interface RunnerOptions {
  /** App name; the durable is `<app>--<projection>`. */
  app: string;
  schema: string;
  namespace: string;
  databaseUrl: string;
  /** Failed deliveries of one event before it becomes a dead letter. */
  deadLetterAfter: number;
  batchSize?: number;
  /** Backoff for a failed event: base·2^(attempt-1), capped. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** How often a standby instance tries to become the active runner. */
  standbyPollMs?: number;
  /** How the source stream is created when it is found missing. */
  streams?: StreamSettings;
  /** How long one pull request may wait for messages (default PULL_EXPIRES_MS, at least 1 s). */
  pullExpiresMs?: number;
}

interface Item {
  msg: JsMsg;
  event?: DomainEvent;
}

/** A batch being applied in the background (see ProjectionRunner.begin). */
interface InFlight {
  size: number;
  /** It holds its aggregates' locks. */
  locked: boolean;
  ended: boolean;
  done: Promise<void>;
}

export const durableName = (app: string, projection: string) => `${app}--${projection}`;

/**
 * How long one pull request may wait for messages. An idle runner renews its pulls this often,
 * and each renewal is a request and an expiry, each of which wakes nats-server and this
 * process: with pulls of 1 s (and a heartbeat at 0.5 s) a stack at rest woke nats-server about
 * 330 times a second, against about 130 now. Stopping does not wait for them (see endPull).
 */
export const PULL_EXPIRES_MS = 10_000;
/**
 * How often nats-server says a waiting pull is still registered (idle heartbeat). Two missed
 * ones fail the fetch and the runner pulls again: that is how a pull lost without the
 * connection dropping (its consumer's leader gone, on a cluster) is noticed. At most half the
 * pull's life (nats-server refuses more).
 */
export const PULL_HEARTBEAT_MS = 2_000;

/** How long a delivery may stay unacknowledged before the broker hands it out again. */
const ACK_WAIT_NS = 30_000_000_000;

/**
 * While a new leader takes back the deliveries its predecessor left unsettled (see
 * reclaimStranded), the consumer's ack_wait is this short, for RECLAIM_WAIT_MS: nats-server
 * re-arms its redelivery check with the new ack_wait, and the stranded deliveries come first.
 */
const RECLAIM_ACK_WAIT_NS = 500_000_000;
const RECLAIM_WAIT_MS = 1000;

/**
 * Pull requests kept outstanding at once, the second sent half a pull's life after the first.
 * With one, nats-server 2.9 sometimes left a message stored while the pull waited (or a pull sent
 * right after the previous one's 408) undelivered until the next pull: stalls of up to 1-2 s at
 * 50-200 messages/s (`node test/bench/pull-stall.js` reproduces it against a bare consumer). With two
 * staggered pulls one is always registered while the other is renewed, and the stalls are gone.
 */
const PULLS_OUTSTANDING = 2;

/** Pulls failing in a row before the runner gives up leadership and starts over (after standbyPollMs). */
const PULL_FAILURES_BEFORE_GIVING_UP = 5;

/**
 * Events the projection ignores (`Projection.ignores`) wait this long for company before they
 * are applied alone: a batch of them moves only checkpoints, so it goes with the next batch that
 * holds real work, or, when none comes, once for everything that arrived meanwhile.
 */
export const IGNORED_HOLD_MS = 250;
/** …or as soon as this many are held (they are unacknowledged until then: max_ack_pending is 1000). */
const IGNORED_HOLD_MAX = 200;

/**
 * An applied event's ack waits up to this long (after its commit, as ever) for the acks of the
 * batches after it, so one write to the broker carries them all. At low rates each batch is one
 * event, and every write wakes nats-server; an ack that comes late costs nothing, while one lost
 * with the process only brings a redelivery that the checkpoints skip.
 */
const ACK_LINGER_MS = 250;
/** …or until this many wait (unacknowledged messages count against max_ack_pending, 1000). */
const ACK_LINGER_MAX = 100;

/**
 * Ends a fetch without waiting for its pull to expire, and without losing what is on its way:
 * draining its subscription sends UNSUB and a PING, and hands everything that arrives before
 * the PONG to the fetch's callback. Once nats-server has read the UNSUB it drops the pull
 * request (it delivers only to a pull whose reply subject has interest; checked on 2.9.10:
 * a message published after the drain stays pending for the next pull), so nothing is
 * delivered to the closed subscription. A delivery the server decided on in the instant
 * before could still be lost; the next leader takes it back at once (reclaimStranded).
 * Where the client keeps its subscription elsewhere (another version), the fetch runs out.
 */
async function endPull(messages: ConsumerMessages): Promise<void> {
  const sub = (messages as unknown as { sub?: { drain?: () => Promise<void> } }).sub;
  if (typeof sub?.drain !== 'function') return;
  await sub.drain().catch(() => undefined);
}

/**
 * Runs one projection from its durable JetStream consumer. Only one instance per
 * projection is active (it holds the projection's leader lease; a standby takes
 * over when the lease's connection dies). Messages are applied in micro-batches:
 * whatever arrived while the previous batch committed, in one transaction; acks
 * go out only after commit. When a batch fails, its events are retried one by one
 * so only the failing event is nak'd with backoff, and after `deadLetterAfter`
 * deliveries it is dead-lettered while the rest of the stream keeps flowing.
 */
export class ProjectionRunner {
  private running = false;
  /** Lost when its connection dies: consuming ends after the batch in flight. */
  private readonly lease: LeaderLease;
  private readonly queue: Item[] = [];
  private notify?: () => void;
  private loop?: Promise<void>;
  private readonly durable: string;
  private readonly stream: string;
  private active = false;
  /** Applied (committed) and not acknowledged yet: see ACK_LINGER_MS. */
  private readonly lingering: JsMsg[] = [];
  private lingerTimer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly broker: Broker,
    readonly projection: Projection,
    private readonly deadLetters: DeadLetterStore,
    private readonly opts: RunnerOptions,
    private readonly metrics: RippleMetrics,
    private readonly logger: JsonLogger,
  ) {
    this.durable = durableName(opts.app, projection.name);
    this.stream = streamName(opts.namespace, projection.source);
    this.lease = new LeaderLease({
      databaseUrl: opts.databaseUrl,
      key: leaseKey('projection-runner', `${opts.schema}:${projection.name}`),
      onLost: (err) => {
        this.logger.event('warn', 'projection leader connection lost', { projection: projection.name, error: err.message });
        this.notify?.();
      },
    });
  }

  /** True while this instance holds the projection's lock and consumes. */
  get isActive(): boolean {
    return this.active;
  }

  /** True while this instance holds the projection's leader lease. */
  get isLeader(): boolean {
    return this.lease.isLeader;
  }

  async start(): Promise<void> {
    await this.ensureConsumer();
    this.running = true;
    this.loop = this.lead();
  }

  /** Graceful: stops pulling, finishes the batch in flight, hands back what was not started. */
  async stop(): Promise<void> {
    this.running = false;
    this.notify?.();
    await this.loop;
  }

  /** Creates the durable consumer if it is missing (and its stream, if that is missing too). */
  async ensureConsumer(): Promise<void> {
    const config = {
      durable_name: this.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: allEventsSubject(this.opts.namespace, this.projection.source),
      ack_wait: ACK_WAIT_NS,
      max_ack_pending: 1000,
    };
    try {
      await this.broker.jsm.consumers.info(this.stream, this.durable);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await ensureStream(this.broker, this.opts.namespace, this.projection.source, this.opts.streams);
      await this.broker.jsm.consumers.add(this.stream, config);
    }
  }

  private async lead(): Promise<void> {
    while (this.running) {
      try {
        if (await this.lease.tryAcquire()) {
          this.active = true;
          this.logger.event('info', 'projection runner active', { projection: this.projection.name });
          await this.reclaimStranded();
          await this.consume();
        }
      } catch (err) {
        this.logger.event('warn', 'projection runner interrupted', { projection: this.projection.name, error: (err as Error).message });
        // The consumer (or its stream) is gone, e.g. with the broker's store: declare it again and go on.
        if (isNotFound(err)) await this.ensureConsumer().catch((e) => this.logger.event('warn', 'cannot re-create the consumer yet', { projection: this.projection.name, error: (e as Error).message }));
      } finally {
        this.active = false;
        await this.lease.release();
      }
      if (this.running) await this.pause(this.opts.standbyPollMs ?? 2000);
    }
  }

  /**
   * Takes back at once what a previous leader was handed and never settled: a process killed
   * with messages pulled and not applied (or applied, their acks still lingering) leaves them
   * pending until ack_wait (30 s), and every later event of their aggregates waits for them. The
   * lease says no other instance consumes now, so the consumer's ack_wait is cut for a moment:
   * nats-server then queues them for redelivery, and they come with the first pulls, in stream
   * order; those already applied, the checkpoints skip. ack_wait is then set back to what it was.
   */
  private async reclaimStranded(): Promise<void> {
    const jsm = this.broker.jsm;
    const { num_ack_pending: stranded, config } = await jsm.consumers.info(this.stream, this.durable);
    if (stranded === 0) return;
    // A leader that died inside this window left the short ack_wait behind.
    const ackWait = config.ack_wait === RECLAIM_ACK_WAIT_NS ? ACK_WAIT_NS : config.ack_wait;
    this.logger.event('info', 'projection reclaiming deliveries left unsettled', { projection: this.projection.name, deliveries: stranded });
    await jsm.consumers.update(this.stream, this.durable, { ack_wait: RECLAIM_ACK_WAIT_NS });
    try {
      await new Promise((resolve) => setTimeout(resolve, RECLAIM_WAIT_MS));
    } finally {
      await jsm.consumers.update(this.stream, this.durable, { ack_wait: ackWait });
    }
  }

  private consuming(): boolean {
    return this.running && this.lease.isLeader;
  }

  /**
   * Keeps PULLS_OUTSTANDING bounded fetches in flight, staggered, and never cancels one by
   * unsubscribing: whatever the server had already sent to a closed subscription was lost to us
   * and stayed unacknowledged until ack_wait, blocking its aggregate meanwhile (what stopping a
   * `consume()` did). Messages are queued from the subscription's callback, so the queue keeps
   * the order they came in on the connection: stream order. On stop or lost leadership the
   * fetches are drained (endPull), the batch in flight finishes, and everything not started is
   * nak'd.
   */
  private async consume(): Promise<void> {
    const consumer = await this.broker.js.consumers.get(this.stream, this.durable);
    const batchSize = this.opts.batchSize ?? 500;
    const expires = Math.max(1000, this.opts.pullExpiresMs ?? PULL_EXPIRES_MS);
    let stopped = false;
    let signalStop!: () => void;
    const stopSignal = new Promise<void>((resolve) => (signalStop = resolve));
    const fetching = new Set<ConsumerMessages>();
    const drained: Array<() => void> = [];
    // Paced (Projection.paceMs): the events the broker held for this consumer beyond the last one
    // delivered (its `pending`), less those a pull sent since has asked for.
    const paceMs = this.projection.paceMs ?? 0;
    let heldByBroker = 0;
    /** No pull is sent from now on, and the ones outstanding end as soon as nats-server has dropped them. */
    const endPulls = () => {
      stopped = true;
      signalStop();
      for (const resume of drained.splice(0)) resume();
      return Promise.all([...fetching].map(endPull));
    };
    /** Waits `ms`, or less if the pulls end meanwhile. */
    const pause = (ms: number) => Promise.race([stopSignal, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
    const pulling = async (delayMs: number) => {
      if (delayMs > 0) await pause(delayMs);
      let failures = 0;
      while (!stopped && this.consuming()) {
        if (this.queue.length >= batchSize) {
          // Back-pressure: wait for the applier to take a batch.
          await new Promise<void>((resolve) => drained.push(resolve));
          continue;
        }
        try {
          // Paced, a pull asks for what the broker holds, so it ends once that is delivered, all at once.
          const wanted = paceMs > 0 ? Math.min(batchSize * 2, Math.max(1, heldByBroker)) : batchSize * 2;
          heldByBroker = Math.max(0, heldByBroker - wanted);
          // fetch() takes consume()'s callback too (its type does not say so): messages are
          // handed over in the subscription's own call, in the order they arrived.
          const pull: FetchOptions & ConsumeCallback = {
            max_messages: wanted,
            expires,
            idle_heartbeat: Math.min(PULL_HEARTBEAT_MS, expires / 2),
            callback: (msg) => {
              this.queue.push({ msg });
              if (paceMs > 0) heldByBroker = msg.info.pending;
              this.notify?.();
            },
          };
          const messages = await consumer.fetch(pull);
          fetching.add(messages);
          // Stopped while the fetch was being sent: endPulls has been and gone.
          if (stopped) void endPull(messages);
          const failed = await messages.closed().finally(() => fetching.delete(messages));
          if (failed) throw failed;
          failures = 0;
          // Short of a backlog, let more gather at the broker before the next pull (which asks for
          // what the last delivery said was waiting, or, with nothing waiting, for the next one).
          if (paceMs > 0 && heldByBroker < batchSize && !stopped) await pause(paceMs);
        } catch (err) {
          // A pull can end in error without anything being wrong for long: e.g. the client counts
          // missed idle heartbeats while a busy event loop reads the socket late. Pull again at once;
          // only a pull that keeps failing (consumer gone, broker down) ends this term as leader.
          if (++failures >= PULL_FAILURES_BEFORE_GIVING_UP || isNotFound(err)) throw err;
          this.logger.event('debug', 'a pull failed; pulling again', { projection: this.projection.name, error: (err as Error).message, failures });
          if (failures > 1) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** failures));
        }
      }
    };
    const pulls = Array.from({ length: PULLS_OUTSTANDING }, (_, i) => pulling((i * expires) / PULLS_OUTSTANDING));
    let pumpDone = false;
    // One pull that gives up ends the term: the others stop with it.
    const pump = Promise.allSettled(pulls.map((pull) => pull.finally(endPulls)))
      .then((ends) => {
        const failed = ends.find((end) => end.status === 'rejected');
        if (failed) throw failed.reason;
      })
      .finally(() => {
        pumpDone = true;
        this.notify?.();
      });
    const takeBatch = () => {
      const batch = this.queue.splice(0, batchSize);
      for (const resume of drained.splice(0)) resume();
      return batch;
    };
    // Ignored events held back (in stream order, ahead of anything still queued), and whether they have waited long enough.
    const held: Item[] = [];
    let holdTimer: NodeJS.Timeout | undefined;
    let holdOver = false;
    const releaseHeld = () => {
      clearTimeout(holdTimer);
      holdTimer = undefined;
      holdOver = false;
      return held.splice(0);
    };
    // The batch being applied. The next one waits for it to end, except in a backlog (see startNextBeside).
    let inFlight: InFlight | undefined;
    const start = (items: Item[]) => {
      const previous = inFlight;
      inFlight = this.begin(items);
      // At most two in flight: the older one ends before anything else is taken.
      return previous?.done;
    };
    try {
      while (this.consuming()) {
        if (inFlight?.ended) {
          const ended = inFlight;
          inFlight = undefined;
          await ended.done; // rethrows what ended the term (the database out of reach)
          continue;
        }
        if (inFlight && !this.startNextBeside(inFlight, batchSize)) {
          await new Promise<void>((resolve) => (this.notify = resolve));
          continue;
        }
        if (this.queue.length > 0) {
          const batch = takeBatch();
          if (held.length + batch.length < IGNORED_HOLD_MAX && this.allIgnored(batch)) {
            held.push(...batch);
            holdTimer ??= setTimeout(() => {
              holdOver = true;
              this.notify?.();
            }, IGNORED_HOLD_MS);
            continue;
          }
          await start([...releaseHeld(), ...batch]);
          continue;
        }
        if (holdOver) {
          await start(releaseHeld());
          continue;
        }
        if (pumpDone) break;
        await new Promise<void>((resolve) => (this.notify = resolve));
      }
    } finally {
      const ended = endPulls();
      await inFlight?.done.catch(() => undefined);
      await ended;
      await pump.catch((err) => this.logger.event('warn', 'pulling from the consumer failed', { projection: this.projection.name, error: (err as Error).message }));
      this.flushAcks();
      // Pulled but not applied: give them back now rather than after ack_wait.
      for (const item of [...releaseHeld(), ...this.queue.splice(0)]) item.msg.nak();
    }
  }

  /**
   * Applies `items` in the background; the loop is woken when the batch holds its locks and when
   * it ends. Its promise settles only once the loop awaits it (nothing is left unhandled meanwhile).
   */
  private begin(items: Item[]): InFlight {
    const batch: InFlight = { size: items.length, locked: false, ended: false, done: Promise.resolve() };
    batch.done = this.process(items, () => {
      batch.locked = true;
      this.notify?.();
    }).finally(() => {
      batch.ended = true;
      this.notify?.();
    });
    batch.done.catch(() => undefined);
    return batch;
  }

  /**
   * Whether the next batch may start while `current` is still being applied: only for a
   * projection whose batches of different aggregates are independent (`disjointBatches`), only
   * in a backlog (`current` and the next batch are both full), and only once `current` holds its
   * locks, so the next one queues behind them for every aggregate they share and reads its
   * checkpoints after `current` commits. Below a backlog, whatever arrives meanwhile joins the
   * next batch instead, as one transaction.
   */
  private startNextBeside(current: InFlight, batchSize: number): boolean {
    return this.projection.disjointBatches === true && current.locked && current.size >= batchSize && this.queue.length >= batchSize;
  }

  /**
   * True when every event of `items` is one the projection ignores (decoding them on the way;
   * an undecodable one is not ignored: it goes to its dead letter).
   */
  private allIgnored(items: Item[]): boolean {
    const ignores = this.projection.ignores?.bind(this.projection);
    if (!ignores) return false;
    return items.every((item) => {
      try {
        item.event ??= decodeForProjection(item.msg.data);
      } catch {
        return false;
      }
      return ignores(item.event);
    });
  }

  private async process(items: Item[], locked?: () => void): Promise<void> {
    const ready: Item[] = [];
    for (const item of items) {
      try {
        item.event ??= decodeForProjection(item.msg.data);
        ready.push(item);
      } catch (err) {
        await this.deadLetter(item, `undecodable: ${(err as Error).message}`);
      }
    }
    if (ready.length === 0) return;
    const spans = tracingOn() ? startApplySpans(this.projection.name, ready.map((i) => i.event!)) : undefined;
    try {
      const outcomes = await this.applyAll(ready, locked);
      this.settle(ready, outcomes);
    } catch (err) {
      if (isDatabaseUnavailable(err)) this.giveBack(ready, err);
      // Find the culprit: each event alone, in order, so the good ones still commit.
      for (const [i, item] of ready.entries()) {
        await this.processOne(item).catch((e) => this.giveBack(ready.slice(i), e));
      }
    } finally {
      endApplySpans(spans);
    }
    this.metrics.projectionLag.set({ projection: this.projection.name }, items[items.length - 1].msg.info.pending);
  }

  /**
   * Applying cannot go on, and not because of an event: the database is out of
   * reach (or a dead letter could not be recorded). The events go back without
   * being retried one by one towards their dead letter, and this term as leader
   * ends (its lock connection is likely gone too); the runner leads again once
   * PostgreSQL answers.
   */
  private giveBack(items: Item[], err: unknown): never {
    for (const item of items) item.msg.nak(this.opts.backoffBaseMs ?? 500);
    throw err;
  }

  /** Applies one event, or naks or dead-letters it; throws only when the database is out of reach. */
  private async processOne(item: Item): Promise<void> {
    try {
      this.settle([item], await this.applyAll([item]));
    } catch (err) {
      if (isDatabaseUnavailable(err)) throw err;
      const attempts = item.msg.info.deliveryCount;
      const permanent = err instanceof PermanentProjectionError;
      withLogContext({ correlationId: item.event!.correlationId, causationId: item.event!.id }, () =>
        this.logger.event('warn', 'projection failed to apply event', {
          projection: this.projection.name, eventId: item.event!.id, type: item.event!.type, attempts, error: (err as Error).message,
        }),
      );
      if (permanent || attempts >= this.opts.deadLetterAfter) {
        await this.deadLetter(item, (err as Error).message);
      } else {
        this.metrics.projectionRetries.inc({ projection: this.projection.name });
        const base = this.opts.backoffBaseMs ?? 500;
        item.msg.nak(Math.min(base * 2 ** (attempts - 1), this.opts.backoffMaxMs ?? 30_000));
      }
    }
  }

  private applyAll(items: Item[], locked?: () => void): Promise<Outcome[]> {
    const events = items.map((i) => i.event!);
    // A full batch is a backlog: its round trips are shared by hundreds of events, and a projection with
    // disjoint batches overlaps the next one with it once it holds its locks (see startNextBeside).
    const oneTrip = items.length < (this.opts.batchSize ?? 500);
    return applyBatchAlone(this.dataSource, this.opts.schema, this.projection, events, {
      respectDeadLetters: true, mode: 'live', opened: locked, oneTrip, took: (path) => this.metrics.projectionBatches.inc({ projection: this.projection.name, path }),
    }, async (tx, outcomes) => {
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome !== 'blocked') continue;
        const head = await this.deadLetters.headFor(tx, this.projection.name, events[i].aggregateId);
        await this.deadLetters.record(tx, {
          projection: this.projection.name, eventId: events[i].id, event: events[i], streamSequence: items[i].msg.seq,
          error: `parked behind dead letter ${head} of the same ${events[i].aggregateType}`, attempts: items[i].msg.info.deliveryCount, blockedBy: head,
        });
      }
    });
  }

  private settle(items: Item[], outcomes: Outcome[]): void {
    const now = Date.now();
    let applied = 0;
    outcomes.forEach((outcome, i) => {
      const { msg, event } = items[i];
      switch (outcome) {
        case 'apply':
          applied++;
          this.metrics.applyLatency.observe({ projection: this.projection.name }, (now - Date.parse(event!.occurredAt)) / 1000);
          this.lingering.push(msg);
          break;
        case 'duplicate':
          this.metrics.eventsSkipped.inc({ projection: this.projection.name });
          this.lingering.push(msg);
          break;
        case 'blocked':
          this.lingering.push(msg);
          break;
        case 'gap':
          msg.nak(Math.min(200 * msg.info.deliveryCount, 5000));
          break;
        default: {
          const never: never = outcome;
          throw new Error(`unhandled outcome ${never}`);
        }
      }
    });
    if (this.lingering.length >= ACK_LINGER_MAX) this.flushAcks();
    else if (this.lingering.length > 0) this.lingerTimer ??= setTimeout(() => this.flushAcks(), ACK_LINGER_MS);
    this.metrics.eventsApplied.inc({ projection: this.projection.name }, applied);
    if (outcomes.includes('blocked')) this.refreshDeadLetterGauge().catch(() => undefined);
  }

  /** Sends the lingering acks, all in one write (the client flushes once per tick). */
  private flushAcks(): void {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    for (const msg of this.lingering.splice(0)) msg.ack();
  }

  private async deadLetter(item: Item, error: string): Promise<void> {
    await this.deadLetters.record(this.dataSource, {
      projection: this.projection.name,
      eventId: item.event?.id ?? `seq-${item.msg.seq}`,
      event: item.event,
      raw: item.event ? undefined : Buffer.from(item.msg.data).toString('utf8'),
      streamSequence: item.msg.seq,
      error,
      attempts: item.msg.info.deliveryCount,
    });
    // No reason with the TERM: nats-server 2.9 ignores a `+TERM <reason>` ack altogether, leaving the
    // message to be redelivered after AckWait (and its letter reopened). The reason is in the letter.
    item.msg.term();
    this.logger.event('error', 'event dead-lettered', { projection: this.projection.name, eventId: item.event?.id, error });
    await this.refreshDeadLetterGauge();
  }

  async refreshDeadLetterGauge(): Promise<void> {
    this.metrics.deadLetters.set({ projection: this.projection.name }, await this.deadLetters.openCount(this.projection.name));
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.notify = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}
