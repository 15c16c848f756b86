import { DataSource, type EntityManager } from 'typeorm';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { allEventsSubject, eventSubject, streamName, uuidv7, type DomainEvent, type UserProfileUpdated } from '@ripple/contracts';
import { connectBroker, ensureStream, type Broker } from '@ripple/messaging';
import { JsonLogger, RippleMetrics } from '@ripple/observability';
import { leaseKey } from '@ripple/event-store';
import { createTestDatabase, deleteNamespaceStreams, eventually, terminateLeaseHolders, testNamespace, testNatsUrl, type TestDatabase } from '@ripple/testing';
import {
  DeadLetterNotHeadError,
  DeadLetterRetryFailedError,
  DeadLetterStore,
  type DeadLetter,
} from './dead-letters';
import { PermanentProjectionError, checkpointTable, type Projection, type TableMap } from './projection';
import { ProjectionRunner, durableName, type RunnerOptions } from './projection-runner';
import { createCheckpointTable, createDeadLetterTable, qualify } from './schema';

/**
 * The projection runner against real PostgreSQL and NATS JetStream. Every test
 * gets its own schema (tables, checkpoints, dead letters) and its own stream
 * namespace; the test projection records every application in a log table so
 * duplicates and order are visible in SQL.
 */
const logger = new JsonLogger('projection-runner-itest', 'error');
const PROJECTION = 'itest-profiles';
const APP = 'itest';

/** Knobs the test turns to make the projection fail. */
interface Control {
  /** `fullName: 'poison'` fails until this is set. */
  poisonFixed: boolean;
  /** `fullName: 'flaky'` fails while this is set. */
  flaky: boolean;
  /** fullName → how many more attempts to fail. */
  failTimes: Map<string, number>;
  /** Attempts that threw, by fullName. */
  failures: Map<string, number>;
  /** Sleep inside each apply (keeps batches in flight). */
  applyDelayMs: number;
  /** `fullName: 'cut'` has PostgreSQL terminate the applying connection (57P01) this many more times. */
  cuts: number;
}

const newControl = (): Control => ({ poisonFixed: false, flaky: false, failTimes: new Map(), failures: new Map(), applyDelayMs: 0, cuts: 0 });

/**
 * itest_profiles: one row per aggregate (last name, version, how many events applied);
 * itest_applications: one row per application (a duplicate shows up as a second row).
 * `fullName: 'permanent'` always fails with PermanentProjectionError.
 */
function testProjection(ctl: Control, label: string): Projection {
  return {
    name: PROJECTION,
    source: 'profiles',
    tables: ['itest_profiles', 'itest_applications'],
    async apply(tx: EntityManager, events: DomainEvent[], tables: TableMap) {
      if (ctl.applyDelayMs) await new Promise((r) => setTimeout(r, ctl.applyDelayMs));
      for (const e of events) {
        const fullName = (e as UserProfileUpdated).data.changes.fullName ?? null;
        const fail = (why: string, permanent = false) => {
          ctl.failures.set(fullName!, (ctl.failures.get(fullName!) ?? 0) + 1);
          throw permanent ? new PermanentProjectionError(why) : new Error(why);
        };
        if (fullName === 'poison' && !ctl.poisonFixed) fail('poisoned event');
        if (fullName === 'permanent') fail('cannot ever apply this', true);
        if (fullName === 'flaky' && ctl.flaky) fail('transient failure');
        if (fullName === 'cut' && ctl.cuts > 0) {
          ctl.cuts--;
          ctl.failures.set(fullName, (ctl.failures.get(fullName) ?? 0) + 1);
          await tx.query('SELECT pg_terminate_backend(pg_backend_pid())');
        }
        const left = fullName === null ? 0 : (ctl.failTimes.get(fullName) ?? 0);
        if (left > 0) {
          ctl.failTimes.set(fullName!, left - 1);
          fail('fails a few times');
        }
        await tx.query(
          `INSERT INTO ${tables('itest_applications')} (event_id, aggregate_id, version, full_name, applied_by) VALUES ($1, $2, $3, $4, $5)`,
          [e.id, e.aggregateId, e.aggregateVersion, fullName, label],
        );
        await tx.query(
          `INSERT INTO ${tables('itest_profiles')} AS p (aggregate_id, full_name, version, applied) VALUES ($1, $2, $3, 1)
           ON CONFLICT (aggregate_id) DO UPDATE SET full_name = EXCLUDED.full_name, version = EXCLUDED.version, applied = p.applied + 1`,
          [e.aggregateId, fullName, e.aggregateVersion],
        );
      }
    },
  };
}

describe('ProjectionRunner (PostgreSQL + JetStream)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let broker: Broker;
  const namespaces: string[] = [];
  const runners: ProjectionRunner[] = [];
  const extraBrokers: Broker[] = [];
  let counter = 0;

  beforeAll(async () => {
    db = await createTestDatabase('ripple_projection');
    dataSource = new DataSource({ type: 'postgres', url: db.url, synchronize: false, logging: false, extra: { max: 20 } });
    await dataSource.initialize();
    broker = await connectBroker(await testNatsUrl(), 'projection-runner-itest');
  });

  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop().catch(() => undefined)));
    for (const b of extraBrokers) await b.nc.drain().catch(() => undefined);
    if (broker) {
      for (const ns of namespaces) await deleteNamespaceStreams(broker.jsm, ns).catch(() => undefined);
      await broker.nc.drain().catch(() => undefined);
    }
    if (dataSource?.isInitialized) await dataSource.destroy();
    await db?.drop();
  });

  async function setup(runnerOpts: Partial<RunnerOptions> = {}) {
    const schema = `proj_${++counter}`;
    const namespace = testNamespace();
    namespaces.push(namespace);
    const qr = dataSource.createQueryRunner();
    try {
      await qr.query(`CREATE SCHEMA "${schema}"`);
      await createDeadLetterTable(qr, schema);
      await createCheckpointTable(qr, schema, PROJECTION);
      await qr.query(`CREATE TABLE ${qualify(schema, 'itest_profiles')} (aggregate_id text PRIMARY KEY, full_name text, version integer NOT NULL, applied integer NOT NULL)`);
      await qr.query(`
        CREATE TABLE ${qualify(schema, 'itest_applications')} (
          seq bigserial PRIMARY KEY, event_id uuid NOT NULL, aggregate_id text NOT NULL, version integer NOT NULL, full_name text, applied_by text NOT NULL
        )`);
    } finally {
      await qr.release();
    }
    await ensureStream(broker, namespace, 'profiles');
    const ctl = newControl();
    const metrics = new RippleMetrics('projection-runner-itest');
    const deadLetters = new DeadLetterStore(dataSource, schema, [testProjection(ctl, 'dead-letter-retry')]);
    const options: RunnerOptions = {
      app: APP, schema, namespace, databaseUrl: db.url, deadLetterAfter: 3, backoffBaseMs: 50, backoffMaxMs: 2000, standbyPollMs: 100, ...runnerOpts,
    };
    const newRunner = (label: string, runnerBroker: Broker = broker) => {
      const r = new ProjectionRunner(dataSource, runnerBroker, testProjection(ctl, label), deadLetters, options, metrics, logger);
      runners.push(r);
      return r;
    };
    const stream = streamName(namespace, 'profiles');

    const publish = async (e: DomainEvent, msgID: string = e.id) => {
      const ack = await broker.js.publish(eventSubject(namespace, 'profiles', e.aggregateType, e.aggregateId, e.type), JSON.stringify(e), { msgID });
      expect(ack.duplicate).toBe(false);
      return ack.seq;
    };
    const applications = async (aggregateId?: string) =>
      (await dataSource.query(
        `SELECT event_id, aggregate_id, version, full_name, applied_by FROM ${qualify(schema, 'itest_applications')}
         WHERE ($1::text IS NULL OR aggregate_id = $1) ORDER BY seq`,
        [aggregateId ?? null],
      )) as { event_id: string; aggregate_id: string; version: number; full_name: string | null; applied_by: string }[];
    const profile = async (aggregateId: string) => {
      const [row] = await dataSource.query(`SELECT full_name, version, applied FROM ${qualify(schema, 'itest_profiles')} WHERE aggregate_id = $1`, [aggregateId]);
      return row as { full_name: string | null; version: number; applied: number } | undefined;
    };
    const checkpoint = async (aggregateId: string) => {
      const [row] = await dataSource.query(`SELECT version, event_id FROM ${qualify(schema, checkpointTable(PROJECTION))} WHERE aggregate_id = $1`, [aggregateId]);
      return row as { version: number; event_id: string } | undefined;
    };
    const appliedCount = async () => {
      const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM ${qualify(schema, 'itest_applications')}`);
      return n as number;
    };
    const deadLetterFor = async (eventId: string) => (await deadLetters.list({ projection: PROJECTION, limit: 1000 })).find((d) => d.eventId === eventId);
    const counterValue = async (c: { get(): Promise<{ values: { value: number }[] }> }) => (await c.get()).values.reduce((s, v) => s + v.value, 0);

    return { schema, namespace, stream, ctl, metrics, deadLetters, options, newRunner, publish, applications, profile, checkpoint, appliedCount, deadLetterFor, counterValue };
  }

  const event = (aggregateId: string, aggregateVersion: number, fullName: string): UserProfileUpdated => {
    const id = uuidv7();
    return {
      id, type: 'UserProfileUpdated', schemaVersion: 1, aggregateType: 'user', aggregateId, aggregateVersion,
      occurredAt: new Date().toISOString(), correlationId: id, causationId: id, actor: 'itest', data: { changes: { fullName } },
    };
  };

  /** Each event applied exactly once, and per aggregate in version order. */
  function expectExactlyOnceInOrder(apps: { event_id: string; aggregate_id: string; version: number }[], events: DomainEvent[]) {
    const ids = apps.map((a) => a.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(events.map((e) => e.id).sort());
    const byAggregate = new Map<string, number[]>();
    for (const a of apps) byAggregate.set(a.aggregate_id, [...(byAggregate.get(a.aggregate_id) ?? []), a.version]);
    for (const [aggregateId, versions] of byAggregate) {
      const expected = events.filter((e) => e.aggregateId === aggregateId).map((e) => e.aggregateVersion).sort((a, b) => a - b);
      expect({ aggregateId, versions }).toEqual({ aggregateId, versions: expected });
    }
  }

  it('applies an event once under duplicate publish, a lost ack (redelivery) and a nak\'d redelivery', async () => {
    const t = await setup({ deadLetterAfter: 10 });
    // The durable exists before the runner starts (the runner keeps it), with a short
    // ack_wait so an unacknowledged delivery comes back within the test.
    await broker.jsm.consumers.add(t.stream, {
      durable_name: durableName(APP, PROJECTION),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: allEventsSubject(t.namespace, 'profiles'),
      ack_wait: 1_000_000_000,
      max_ack_pending: 1000,
    });
    // The runner gets its own connection, on which the first ack of one message is lost
    // (dropped where the client writes it: messages answer through the protocol handler).
    const runnerBroker = await connectBroker(await testNatsUrl(), 'projection-runner-itest-lossy');
    extraBrokers.push(runnerBroker);
    const protocol = (runnerBroker.nc as unknown as { protocol: { publish: (subject: string, payload?: unknown, opts?: unknown) => void } }).protocol;
    expect(typeof protocol?.publish).toBe('function');
    const acks = new Map<number, number>();
    let dropAckOfSeq = -1;
    const send = protocol.publish.bind(protocol);
    protocol.publish = (subject, payload, opts) => {
      const tokens = subject.split('.');
      if (subject.startsWith('$JS.ACK.') && tokens.length === 9 && Buffer.from(payload as Uint8Array).toString() === '+ACK') {
        const seq = Number(tokens[5]);
        acks.set(seq, (acks.get(seq) ?? 0) + 1);
        if (seq === dropAckOfSeq && acks.get(seq) === 1) return;
      }
      send(subject, payload, opts);
    };

    const a = uuidv7();
    const b = uuidv7();
    const lostAck = event(a, 1, 'lost-ack');
    dropAckOfSeq = await t.publish(lostAck);
    const runner = t.newRunner('runner', runnerBroker);
    await runner.start();

    // The ack was lost: the server redelivers after ack_wait, and the guard skips it.
    await eventually(async () => (acks.get(dropAckOfSeq) ?? 0) >= 2, { what: 'the redelivery after the lost ack to be acknowledged' });
    expect((await t.applications(a)).map((r) => r.event_id)).toEqual([lostAck.id]);

    // Duplicate publish (a different Nats-Msg-Id, so the broker keeps both copies),
    // next to the event's successor, and once more after the successor was applied.
    const a2 = event(a, 2, 'a2');
    await t.publish(lostAck, `${lostAck.id}:copy-1`);
    await t.publish(a2);
    await t.publish(lostAck, `${lostAck.id}:copy-2`);
    await eventually(async () => (await t.profile(a))?.version === 2, { what: 'a at version 2' });
    await t.publish(a2, `${a2.id}:copy`);

    // A batch that fails because of one event is rolled back; the good event is applied
    // alone and the failing one nak'd, then applied on redelivery.
    t.ctl.failTimes.set('nak-me', 2);
    const b1 = event(b, 1, 'b1');
    const b2 = event(b, 2, 'nak-me');
    const b3 = event(b, 3, 'b3');
    await t.publish(b1);
    await t.publish(b2);
    await t.publish(b3);
    await eventually(async () => (await t.profile(b))?.version === 3, { what: 'b at version 3' });
    expect(t.ctl.failures.get('nak-me')).toBe(2);
    expect(await t.counterValue(t.metrics.projectionRetries)).toBeGreaterThanOrEqual(1);

    const stream = await broker.jsm.streams.info(t.stream);
    expect(stream.state.messages).toBe(8);
    // Every copy was delivered and acknowledged, none of them applied twice.
    await eventually(async () => {
      const info = await broker.jsm.consumers.info(t.stream, durableName(APP, PROJECTION));
      return info.num_pending === 0 && info.num_ack_pending === 0;
    }, { what: 'every message acknowledged' });
    expect(await t.counterValue(t.metrics.eventsSkipped)).toBeGreaterThanOrEqual(4);

    expectExactlyOnceInOrder(await t.applications(), [lostAck, a2, b1, b2, b3]);
    expect(await t.profile(a)).toEqual({ full_name: 'a2', version: 2, applied: 2 });
    expect(await t.profile(b)).toEqual({ full_name: 'b3', version: 3, applied: 3 });
    expect(await t.checkpoint(a)).toEqual({ version: 2, event_id: a2.id });
    expect(await t.checkpoint(b)).toEqual({ version: 3, event_id: b3.id });
    await runner.stop();
  });

  it('dead-letters a poison event after N deliveries, parks its aggregate, keeps the rest flowing; retry and discard', async () => {
    const t = await setup({ deadLetterAfter: 3, backoffBaseMs: 50 });
    const runner = t.newRunner('runner');
    await runner.start();
    const P = uuidv7(); // poisoned at version 2, fixed later, then retried
    const R = uuidv7(); // permanently failing at version 1, discarded
    const Q = uuidv7(); // healthy
    const S = uuidv7(); // healthy, starts after the dead letters exist

    const p = [event(P, 1, 'p1'), event(P, 2, 'poison'), event(P, 3, 'p3'), event(P, 4, 'p4')];
    const r = [event(R, 1, 'permanent'), event(R, 2, 'r2'), event(R, 3, 'r3')];
    const q = [event(Q, 1, 'q1'), event(Q, 2, 'q2'), event(Q, 3, 'q3'), event(Q, 4, 'q4')];
    for (const e of [p[0], p[1], r[0], q[0], p[2], r[1], p[3], q[1], r[2]]) await t.publish(e);

    const poisonHead = await eventually(async () => {
      const d = await t.deadLetterFor(p[1].id);
      return d?.status === 'open' && d;
    }, { what: 'the poison event to be dead-lettered' });
    expect(poisonHead).toMatchObject({ aggregateId: P, aggregateVersion: 2, attempts: 3, blockedBy: null, eventType: 'UserProfileUpdated' });
    expect(poisonHead.error).toMatch(/poisoned event/);
    expect(t.ctl.failures.get('poison')).toBeGreaterThanOrEqual(3);
    const permanentHead = await eventually(async () => {
      const d = await t.deadLetterFor(r[0].id);
      return d?.status === 'open' && d;
    }, { what: 'the permanent failure to be dead-lettered' });
    expect(permanentHead).toMatchObject({ aggregateId: R, aggregateVersion: 1, attempts: 1, blockedBy: null });

    // Later events of the same aggregates are parked behind their heads.
    const parked = async (e: DomainEvent, head: DeadLetter) =>
      eventually(async () => {
        const d = await t.deadLetterFor(e.id);
        return d?.status === 'open' && d.blockedBy === head.id && d;
      }, { what: `event ${e.aggregateVersion} of ${e.aggregateId} parked behind ${head.id}` });
    await parked(p[2], poisonHead);
    await parked(p[3], poisonHead);
    await parked(r[1], permanentHead);
    await parked(r[2], permanentHead);

    // Other aggregates keep flowing while the dead letters are open; a new event of P is parked too.
    const s = [event(S, 1, 's1'), event(S, 2, 's2')];
    const p5 = event(P, 5, 'p5');
    for (const e of [q[2], s[0], p5, q[3], s[1]]) await t.publish(e);
    await eventually(async () => (await t.profile(Q))?.version === 4 && (await t.profile(S))?.version === 2, { what: 'Q and S to be applied' });
    await parked(p5, poisonHead);
    // Every message is settled: the dead-lettered ones terminated (a TERM the server ignored would leave them
    // pending until AckWait, 30 s, and then redelivered, reopening their letters).
    await eventually(async () => (await broker.jsm.consumers.info(t.stream, durableName(APP, PROJECTION))).num_ack_pending === 0, {
      what: 'no message left unacknowledged', timeoutMs: 10_000,
    });
    expect(await t.profile(P)).toEqual({ full_name: 'p1', version: 1, applied: 1 });
    expect(await t.profile(R)).toBeUndefined();
    expect(await t.deadLetters.openCount(PROJECTION)).toBe(7);

    // Retrying before the fix fails and leaves the chain parked, all or nothing.
    await expect(t.deadLetters.retry(poisonHead.id)).rejects.toBeInstanceOf(DeadLetterRetryFailedError);
    expect(await t.deadLetters.get(poisonHead.id)).toMatchObject({ status: 'open', attempts: 4 });
    expect(await t.profile(P)).toEqual({ full_name: 'p1', version: 1, applied: 1 });

    // After the fix, retry applies the head and everything parked behind it, in order.
    t.ctl.poisonFixed = true;
    const resolved = await t.deadLetters.retry(poisonHead.id);
    expect(resolved.map((d) => d.aggregateVersion)).toEqual([2, 3, 4, 5]);
    expect(resolved.every((d) => d.status === 'resolved')).toBe(true);
    expect(await t.profile(P)).toEqual({ full_name: 'p5', version: 5, applied: 5 });
    expect((await t.applications(P)).map((a) => a.version)).toEqual([1, 2, 3, 4, 5]);
    expect(await t.checkpoint(P)).toEqual({ version: 5, event_id: p5.id });
    // ... and the aggregate flows again.
    const p6 = event(P, 6, 'p6');
    await t.publish(p6);
    await eventually(async () => (await t.profile(P))?.version === 6, { what: 'P version 6 applied live' });

    // Discard only works on the head of a chain.
    const r2Letter = (await t.deadLetterFor(r[1].id))!;
    await expect(t.deadLetters.discard(r2Letter.id)).rejects.toBeInstanceOf(DeadLetterNotHeadError);
    await expect(t.deadLetters.discard(r2Letter.id)).rejects.toMatchObject({ headId: permanentHead.id });
    expect((await t.deadLetters.get(r2Letter.id)).status).toBe('open');
    const discarded = await t.deadLetters.discard(permanentHead.id);
    expect(discarded.status).toBe('discarded');
    expect((await t.deadLetters.get(permanentHead.id)).status).toBe('discarded');
    expect(await t.checkpoint(R)).toEqual({ version: 1, event_id: r[0].id });
    // The events parked behind it stay open until retried, then apply in order.
    expect((await t.deadLetters.get(r2Letter.id)).status).toBe('open');
    expect(await t.profile(R)).toBeUndefined();
    const rResolved = await t.deadLetters.retry(r2Letter.id);
    expect(rResolved.map((d) => d.aggregateVersion)).toEqual([2, 3]);
    expect(await t.profile(R)).toEqual({ full_name: 'r3', version: 3, applied: 2 });
    const r4 = event(R, 4, 'r4');
    await t.publish(r4);
    await eventually(async () => (await t.profile(R))?.version === 4, { what: 'R version 4 applied live' });

    expect(await t.deadLetters.openCount(PROJECTION)).toBe(0);
    expectExactlyOnceInOrder(await t.applications(), [...p, p5, p6, r[1], r[2], r4, ...q, ...s]);
    await runner.stop();
  });

  it('keeps per-aggregate order when an event fails transiently', async () => {
    const t = await setup({ deadLetterAfter: 20, backoffBaseMs: 50, backoffMaxMs: 400 });
    const runner = t.newRunner('runner');
    await runner.start();
    const F = uuidv7();
    const G = uuidv7();
    t.ctl.flaky = true;
    const f = [event(F, 1, 'f1'), event(F, 2, 'flaky'), event(F, 3, 'f3'), event(F, 4, 'f4')];
    const g = [event(G, 1, 'g1'), event(G, 2, 'g2'), event(G, 3, 'g3')];
    for (const e of [f[0], f[1], g[0]]) await t.publish(e);
    await eventually(async () => (await t.counterValue(t.metrics.projectionRetries)) >= 1 && (await t.profile(G))?.version === 1, {
      what: 'the flaky event to be nak\'d',
    });

    // F3 and F4 are delivered while F2 still fails: they must wait for it.
    for (const e of [f[2], f[3], g[1], g[2]]) await t.publish(e);
    await eventually(async () => (await t.profile(G))?.version === 3, { what: 'G to be applied past F3 and F4' });
    expect(await t.profile(F)).toEqual({ full_name: 'f1', version: 1, applied: 1 });
    expect(await t.checkpoint(F)).toEqual({ version: 1, event_id: f[0].id });

    t.ctl.flaky = false;
    await eventually(async () => (await t.profile(F))?.version === 4, { what: 'F to catch up' });
    expect((await t.applications(F)).map((a) => a.version)).toEqual([1, 2, 3, 4]);
    expect(await t.profile(F)).toEqual({ full_name: 'f4', version: 4, applied: 4 });
    expect(await t.deadLetters.openCount(PROJECTION)).toBe(0);
    expectExactlyOnceInOrder(await t.applications(), [...f, ...g]);
    await runner.stop();
  });

  it('gives a batch back when its database connection is lost, without counting that towards a dead letter', async () => {
    const t = await setup({ deadLetterAfter: 1 });
    const runner = t.newRunner('runner');
    await runner.start();
    const C = uuidv7();
    const events = [event(C, 1, 'c1'), event(C, 2, 'cut')];
    // Lost twice: in the batch, and again in what used to be the one-by-one retry that dead-lettered at the first delivery.
    t.ctl.cuts = 2;
    for (const e of events) await t.publish(e);

    await eventually(async () => (await t.profile(C))?.version === 2, { what: 'the event whose connection was cut to be applied' });
    expect(t.ctl.failures.get('cut')).toBe(2);
    expect(await t.deadLetters.openCount(PROJECTION)).toBe(0);
    expect(await t.deadLetterFor(events[1].id)).toBeUndefined();
    expectExactlyOnceInOrder(await t.applications(), events);
    await runner.stop();
  });

  it('lets an event type it does not know (a newer producer) pass without effect, and keeps the aggregate flowing', async () => {
    const t = await setup();
    const runner = t.newRunner('runner');
    await runner.start();
    const H = uuidv7();
    const known1 = event(H, 1, 'h1');
    const future = { ...event(H, 2, 'ignored'), type: 'UserBecameFamous', data: { fame: 11 } } as unknown as DomainEvent;
    const known3 = event(H, 3, 'h3');
    for (const e of [known1, future, known3]) await t.publish(e);
    await eventually(async () => (await t.profile(H))?.version === 3, { what: 'the event after the unknown one' });
    expect((await t.applications(H)).map((a) => a.version)).toEqual([1, 3]);
    expect(await t.checkpoint(H)).toEqual({ version: 3, event_id: known3.id });
    expect(await t.deadLetters.openCount(PROJECTION)).toBe(0);
    await runner.stop();
  });

  it('re-creates its consumer and stream when the broker lost them, and applies what is published again exactly once', async () => {
    const t = await setup();
    const runner = t.newRunner('healing');
    await runner.start();
    const id = uuidv7();
    const before = [event(id, 1, 'one'), event(id, 2, 'two'), event(id, 3, 'three')];
    for (const e of before) await t.publish(e);
    await eventually(async () => (await t.appliedCount()) === 3, { what: 'the first three events' });

    // The broker's store is lost: the stream and the durable with it.
    await broker.jsm.streams.delete(t.stream);
    await eventually(() => broker.jsm.consumers.info(t.stream, durableName(APP, PROJECTION)), { timeoutMs: 30_000, what: 'the runner to re-create stream and consumer' });
    // The relay refills the stream (the same events again), then new ones follow.
    const after = event(id, 4, 'four');
    for (const e of [...before, after]) await t.publish(e);
    await eventually(async () => (await t.profile(id))?.version === 4, { timeoutMs: 30_000, what: 'the new event applied' });
    await runner.stop();
    expectExactlyOnceInOrder(await t.applications(), [...before, after]);
  });

  it('runs one active runner per projection and fails over when it stops', async () => {
    const t = await setup();
    const first = t.newRunner('first');
    const second = t.newRunner('second');
    await first.start();
    await second.start();
    await eventually(async () => first.isActive || second.isActive, { what: 'one runner to become active' });
    const [active, standby] = first.isActive ? [first, second] : [second, first];
    const activeLabel = active === first ? 'first' : 'second';
    const standbyLabel = active === first ? 'second' : 'first';

    // Sample both flags for the rest of the test: never both active.
    let overlap = 0;
    const sampler = setInterval(() => {
      if (first.isActive && second.isActive) overlap++;
    }, 5);
    try {
      const aggregates = Array.from({ length: 10 }, () => uuidv7());
      const before = aggregates.flatMap((id) => [event(id, 1, 'x1'), event(id, 2, 'x2'), event(id, 3, 'x3')]);
      for (const e of before) await t.publish(e);
      await eventually(async () => (await t.appliedCount()) === before.length, { what: 'the first events applied' });
      expect(standby.isActive).toBe(false);
      expect(new Set((await t.applications()).map((a) => a.applied_by))).toEqual(new Set([activeLabel]));

      await active.stop();
      expect(active.isActive).toBe(false);
      await eventually(async () => standby.isActive, { what: 'the standby to take over' });

      const after = aggregates.flatMap((id) => [event(id, 4, 'x4'), event(id, 5, 'x5')]);
      for (const e of after) await t.publish(e);
      await eventually(async () => (await t.appliedCount()) === before.length + after.length, { what: 'the later events applied by the new leader' });
      const apps = await t.applications();
      expect(apps.filter((a) => a.version >= 4).every((a) => a.applied_by === standbyLabel)).toBe(true);
      expectExactlyOnceInOrder(apps, [...before, ...after]);
      expect(overlap).toBe(0);
      await standby.stop();
      expect(standby.isActive).toBe(false);
    } finally {
      clearInterval(sampler);
    }
  });

  it('takes back at once what a killed leader was handed and never settled, rather than after ack_wait', async () => {
    const t = await setup();
    const durable = durableName(APP, PROJECTION);
    const runner = t.newRunner('after');
    await runner.ensureConsumer();
    const id = uuidv7();
    const events = [event(id, 1, 'one'), event(id, 2, 'two'), event(id, 3, 'three')];
    for (const e of events) await t.publish(e);
    // The leader before it pulled the first two and died: nothing settles them.
    const killed = await connectBroker(await testNatsUrl(), 'projection-runner-itest-killed');
    extraBrokers.push(killed);
    const taken: number[] = [];
    for await (const m of await (await killed.js.consumers.get(t.stream, durable)).fetch({ max_messages: 2, expires: 1000 })) taken.push(m.seq);
    expect(taken).toHaveLength(2);
    await killed.nc.close();
    expect((await broker.jsm.consumers.info(t.stream, durable)).num_ack_pending).toBe(2);

    await runner.start();
    // The consumer's ack_wait is 30 s, and the third event waits for the two before it.
    await eventually(async () => (await t.profile(id))?.version === 3, { what: 'the stranded events applied, then the next', timeoutMs: 10_000 });
    expectExactlyOnceInOrder(await t.applications(id), events);
    const after = await broker.jsm.consumers.info(t.stream, durable);
    expect(after.config.ack_wait).toBe(30_000_000_000);
    expect(after.num_ack_pending).toBeLessThanOrEqual(3);
    await runner.stop();
  });

  it('fails over when the active runner\'s lock connection dies', async () => {
    const t = await setup();
    const first = t.newRunner('first');
    const second = t.newRunner('second');
    await first.start();
    await second.start();
    await eventually(async () => first.isActive || second.isActive, { what: 'one runner to become active' });
    const aggregates = Array.from({ length: 5 }, () => uuidv7());
    const before = aggregates.map((id) => event(id, 1, 'x1'));
    for (const e of before) await t.publish(e);
    await eventually(async () => (await t.appliedCount()) === before.length, { what: 'the first events applied' });

    // Kill the session that holds the leader lock, as if that instance's database connection died.
    expect(await terminateLeaseHolders(dataSource, leaseKey('projection-runner', `${t.schema}:${PROJECTION}`))).toBe(1);

    const after = aggregates.flatMap((id) => [event(id, 2, 'x2'), event(id, 3, 'x3')]);
    for (const e of after) await t.publish(e);
    await eventually(async () => (await t.appliedCount()) === before.length + after.length, { what: 'events applied after the failover' });
    expect(first.isActive && second.isActive).toBe(false);
    expect(first.isActive || second.isActive).toBe(true);
    expectExactlyOnceInOrder(await t.applications(), [...before, ...after]);
    await first.stop();
    await second.stop();
  });

  it('stops gracefully: nothing in flight or pulled is lost, a new runner goes on', async () => {
    // Small batches and a slow projection: at stop() the runner has a batch in flight
    // and more messages pulled behind it.
    const t = await setup({ batchSize: 10 });
    t.ctl.applyDelayMs = 30;
    const aggregates = Array.from({ length: 25 }, () => uuidv7());
    const events = Array.from({ length: 14 }, (_, v) => aggregates.map((id) => event(id, v + 1, `v${v + 1}`))).flat();
    const backlog = events.slice(0, 250);
    const duringStop = events.slice(250, 300);
    const afterStop = events.slice(300);
    for (const e of backlog) await t.publish(e);

    const runner = t.newRunner('before-stop');
    await runner.start();
    await eventually(async () => (await t.appliedCount()) >= 50, { what: 'the runner to be busy' });
    const publishing = (async () => {
      for (const e of duringStop) await t.publish(e);
    })();
    await runner.stop();
    expect(runner.isActive).toBe(false);
    await publishing;
    const appliedAtStop = await t.appliedCount();
    expect(appliedAtStop).toBeLessThan(backlog.length);
    for (const e of afterStop) await t.publish(e);
    // Nothing is applied while no runner runs.
    expect(await t.appliedCount()).toBe(appliedAtStop);

    const next = t.newRunner('after-stop');
    t.ctl.applyDelayMs = 0;
    await next.start();
    // Well within ack_wait (30 s): what the stopped runner had pulled was handed back, not stranded.
    await eventually(async () => (await t.appliedCount()) === events.length, { what: 'every event applied after the restart', timeoutMs: 15_000 });
    expectExactlyOnceInOrder(await t.applications(), events);
    for (const id of aggregates) expect(await t.profile(id)).toEqual({ full_name: 'v14', version: 14, applied: 14 });
    expect(new Set((await t.applications()).slice(appliedAtStop).map((a) => a.applied_by))).toEqual(new Set(['after-stop']));
    await next.stop();
  });

  it('stops gracefully while caught up and events keep arriving: none is stranded', async () => {
    const t = await setup();
    const runner = t.newRunner('before-stop');
    await runner.start();
    const aggregates = Array.from({ length: 10 }, () => uuidv7());
    const events = Array.from({ length: 30 }, (_, v) => aggregates.map((id) => event(id, v + 1, `v${v + 1}`))).flat();
    const warmUp = events.slice(0, 20);
    for (const e of warmUp) await t.publish(e);
    await eventually(async () => (await t.appliedCount()) === warmUp.length, { what: 'the runner to catch up' });

    // A steady trickle, so messages are on their way to the runner when it stops.
    let published = warmUp.length;
    const publishing = (async () => {
      for (const e of events.slice(warmUp.length)) {
        await t.publish(e);
        published++;
      }
    })();
    await eventually(async () => published >= 100, { what: 'publishing to be under way' });
    await runner.stop();
    await publishing;

    const next = t.newRunner('after-stop');
    await next.start();
    // Well within ack_wait (30 s): nothing was sent to the stopped runner and dropped.
    await eventually(async () => (await t.appliedCount()) === events.length, { what: 'every event applied after the restart', timeoutMs: 15_000 });
    expectExactlyOnceInOrder(await t.applications(), events);
    await next.stop();
  });

  it('stops without waiting for its pulls to run out, and nothing on its way to them is lost', async () => {
    // Pulls that would keep stop() waiting two minutes, were it to wait for them to expire.
    const t = await setup({ pullExpiresMs: 120_000 });
    const durable = durableName(APP, PROJECTION);
    const aggregates = Array.from({ length: 5 }, () => uuidv7());
    const events = Array.from({ length: 20 }, (_, v) => aggregates.map((id) => event(id, v + 1, `v${v + 1}`))).flat();
    const runner = t.newRunner('before-stop');
    await runner.start();
    for (const e of events.slice(0, 25)) await t.publish(e);
    await eventually(async () => (await t.appliedCount()) === 25, { what: 'the runner to catch up' });
    expect((await broker.jsm.consumers.info(t.stream, durable)).num_waiting).toBeGreaterThan(0);

    // Events on their way while it stops: each is either applied or handed back, none left with the stopped runner.
    const publishing = (async () => {
      for (const e of events.slice(25, 60)) await t.publish(e);
    })();
    await eventually(async () => (await t.appliedCount()) > 30, { what: 'publishing to be under way' });
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      runner.stop().then(() => 'stopped'),
      new Promise((resolve) => (timer = setTimeout(resolve, 30_000, 'still waiting for its pulls'))),
    ]);
    clearTimeout(timer);
    expect(stopped).toBe('stopped');
    await publishing;
    const info = await broker.jsm.consumers.info(t.stream, durable);
    expect({ waiting: info.num_waiting, unacknowledged: info.num_ack_pending }).toEqual({ waiting: 0, unacknowledged: 0 });

    for (const e of events.slice(60)) await t.publish(e);
    const next = t.newRunner('after-stop');
    await next.start();
    await eventually(async () => (await t.appliedCount()) === events.length, { what: 'every event applied after the restart' });
    expectExactlyOnceInOrder(await t.applications(), events);
    await next.stop();
  });

  it('holds back events the projection ignores and applies them together, or with the next event that has work, in order', async () => {
    const t = await setup();
    const ignored = (e: DomainEvent) => ((e as UserProfileUpdated).data.changes.fullName ?? '').startsWith('noop');
    const base = testProjection(t.ctl, 'holding');
    const batches: string[][] = [];
    const projection: Projection = {
      ...base,
      ignores: ignored,
      reads: (events) => (batches.push(events.map((e) => (e as UserProfileUpdated).data.changes.fullName ?? '')), []),
      // The contract: an ignored event may still be handed to apply, and has no effect there.
      apply: (tx, events, tables, mode, read) => base.apply(tx, events.filter((e) => !ignored(e)), tables, mode, read),
    };
    const newRunner = () => {
      const r = new ProjectionRunner(dataSource, broker, projection, t.deadLetters, t.options, t.metrics, logger);
      runners.push(r);
      return r;
    };
    const runner = newRunner();
    await runner.start();
    const a = uuidv7();

    // Five ignored events 30 ms apart: one transaction after the hold (two on a slow box), not five.
    for (let v = 1; v <= 5; v++) {
      await t.publish(event(a, v, `noop${v}`));
      await new Promise((r) => setTimeout(r, 30));
    }
    await eventually(async () => (await t.checkpoint(a))?.version === 5, { what: 'the ignored events\' checkpoint' });
    expect(batches.length).toBeLessThanOrEqual(2);
    expect(batches.flat()).toEqual(['noop1', 'noop2', 'noop3', 'noop4', 'noop5']);

    // An ignored event, then one with work: the held one goes first, both move the checkpoint once.
    await t.publish(event(a, 6, 'noop6'));
    await t.publish(event(a, 7, 'real7'));
    await eventually(async () => (await t.checkpoint(a))?.version === 7, { what: 'the event with work' });
    expect(batches.flat().slice(5)).toEqual(['noop6', 'real7']);
    expect((await t.applications(a)).map((x) => x.full_name)).toEqual(['real7']);

    // Stopping while an ignored event is held gives it back: the next runner moves its checkpoint.
    await t.publish(event(a, 8, 'noop8'));
    await runner.stop();
    const next = newRunner();
    await next.start();
    await eventually(async () => (await t.checkpoint(a))?.version === 8, { what: 'the held event applied by the next runner' });
    expect(await t.profile(a)).toMatchObject({ full_name: 'real7', version: 7, applied: 1 });
    await next.stop();
  });

  it('paced, takes a steady stream in a few deliveries rather than one each; every event once and in order, and it stops at once', async () => {
    const t = await setup();
    const runPaced = async (paceMs: number | undefined, events: DomainEvent[]) => {
      const base = testProjection(t.ctl, `paced-${paceMs}`);
      let batches = 0;
      const projection: Projection = { ...base, paceMs, reads: () => (batches++, []) };
      const runner = new ProjectionRunner(dataSource, broker, projection, t.deadLetters, t.options, t.metrics, logger);
      runners.push(runner);
      await runner.start();
      const before = await t.appliedCount();
      // About 50 events a second, as a service's traffic comes, not a backlog.
      for (const e of events) {
        await t.publish(e);
        await new Promise((r) => setTimeout(r, 20));
      }
      await eventually(async () => (await t.appliedCount()) === before + events.length, { what: `the ${events.length} events applied` });
      let timer: NodeJS.Timeout | undefined;
      const stopped = await Promise.race([runner.stop().then(() => 'stopped'), new Promise((resolve) => (timer = setTimeout(resolve, 30_000, 'still pacing')))]);
      clearTimeout(timer);
      expect(stopped).toBe('stopped');
      const info = await broker.jsm.consumers.info(t.stream, durableName(APP, PROJECTION));
      expect({ waiting: info.num_waiting, unacknowledged: info.num_ack_pending }).toEqual({ waiting: 0, unacknowledged: 0 });
      return batches;
    };
    const aggregates = Array.from({ length: 5 }, () => uuidv7());
    const round = (from: number) => Array.from({ length: 20 }, (_, v) => aggregates.map((id) => event(id, from + v, `v${from + v}`))).flat();
    const unpacedEvents = round(1);
    const pacedEvents = round(21);

    // Unpaced, each event is handed over as it is stored, and applied on its own (or nearly).
    const unpaced = await runPaced(undefined, unpacedEvents);
    // Paced at 250 ms, about a dozen gather between pulls.
    const paced = await runPaced(250, pacedEvents);
    expect(unpaced).toBeGreaterThan(60);
    expect(paced).toBeLessThan(40);
    expectExactlyOnceInOrder(await t.applications(), [...unpacedEvents, ...pacedEvents]);
  });

  it('in a backlog, starts the next batch beside the one committing when the projection allows it; every event still once and in order', async () => {
    const t = await setup({ batchSize: 10 });
    // Rounds of ten aggregates, two groups taking turns: two batches in a row hold no aggregate in
    // common, wherever the first batch happens to start. Then rounds over seven aggregates: two
    // batches in a row share some, and the later one waits for the earlier one's locks.
    const groups = [0, 1].map(() => Array.from({ length: 10 }, () => uuidv7()));
    const shared = Array.from({ length: 7 }, () => uuidv7());
    const versions = new Map<string, number>();
    const next = (id: string) => event(id, versions.set(id, (versions.get(id) ?? 0) + 1).get(id)!, `v${versions.get(id)}`);
    const events: DomainEvent[] = [];
    for (let round = 0; round < 12; round++) for (const id of groups[round % 2]) events.push(next(id));
    for (let i = 0; i < 70; i++) events.push(next(shared[i % 7]));

    const drain = async (disjointBatches: boolean) => {
      const at = events.length;
      const all = await t.applications();
      const base = testProjection(t.ctl, `disjoint-${disjointBatches}`);
      let active = 0;
      let mostActive = 0;
      const projection: Projection = {
        ...base,
        disjointBatches,
        apply: async (tx, batch, tables, mode, read) => {
          mostActive = Math.max(mostActive, ++active);
          try {
            await new Promise((r) => setTimeout(r, 20)); // the batch stays in flight a while, its locks held
            return await base.apply(tx, batch, tables, mode, read);
          } finally {
            active--;
          }
        },
      };
      const runner = new ProjectionRunner(dataSource, broker, projection, t.deadLetters, t.options, t.metrics, logger);
      runners.push(runner);
      await runner.start();
      await eventually(async () => (await t.appliedCount()) === all.length + at, { what: `the backlog of ${at} events applied`, timeoutMs: 30_000 });
      await runner.stop();
      return mostActive;
    };

    // Without the flag, one batch at a time; then the same pattern again (the versions go on), with it.
    for (const e of events) await t.publish(e);
    expect(await drain(false)).toBe(1);
    const firstPass = [...events];
    events.length = 0;
    for (let round = 0; round < 12; round++) for (const id of groups[round % 2]) events.push(next(id));
    for (let i = 0; i < 70; i++) events.push(next(shared[i % 7]));
    for (const e of events) await t.publish(e);
    expect(await drain(true)).toBe(2);

    expectExactlyOnceInOrder(await t.applications(), [...firstPass, ...events]);
    // A batch that started before the one ahead of it held its locks could read an aggregate's
    // checkpoint first, find a gap and hand the event back: none was delivered twice.
    expect((await broker.jsm.consumers.info(t.stream, durableName(APP, PROJECTION))).num_redelivered).toBe(0);
    for (const id of [...groups.flat(), ...shared]) expect(await t.checkpoint(id)).toMatchObject({ version: versions.get(id) });
  });
});
