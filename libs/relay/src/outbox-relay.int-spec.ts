import { DataSource, type EntityManager } from 'typeorm';
import { parseEvent, streamName, uuidv7, type EventEnvelope, type UserProfileUpdated } from '@ripple/contracts';
import { connectBroker, ensureStream, type Broker } from '@ripple/messaging';
import type { Status } from '@nats-io/nats-core';
import { JsonLogger, RippleMetrics } from '@ripple/observability';
import { createTestDatabase, deleteNamespaceStreams, eventually, terminateLeaseHolders, testNamespace, testNatsUrl, type TestDatabase } from '@ripple/testing';
import { OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
import { leaseKey, EventStore, StreamVersionConflictError, createEventStoreTables, createOutboxStreamsTable, moveOutboxToItsOwnTable, outboxChannel, wakeLocally, type Appended } from '@ripple/event-store';

/**
 * The outbox relay against real PostgreSQL and NATS JetStream: each test uses
 * its own schema in a fresh database and publishes to its own stream namespace.
 */
const logger = new JsonLogger('outbox-relay-itest', 'error');

interface StreamedMessage {
  seq: number;
  msgId: string | undefined;
  event: EventEnvelope;
}

describe('OutboxRelay and EventStore (PostgreSQL + JetStream)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let broker: Broker;
  const namespaces: string[] = [];
  const relays: OutboxRelay[] = [];
  let schemaCounter = 0;

  beforeAll(async () => {
    db = await createTestDatabase('ripple_outbox');
    dataSource = new DataSource({ type: 'postgres', url: db.url, synchronize: false, logging: false, extra: { max: 10 } });
    await dataSource.initialize();
    broker = await connectBroker(await testNatsUrl(), 'outbox-relay-itest');
  });

  afterAll(async () => {
    await Promise.all(relays.map((r) => r.stop().catch(() => undefined)));
    if (broker) {
      for (const ns of namespaces) await deleteNamespaceStreams(broker.jsm, ns).catch(() => undefined);
      await broker.nc.drain().catch(() => undefined);
    }
    if (dataSource?.isInitialized) await dataSource.destroy();
    await db?.drop();
  });

  /** A fresh event store (own schema) and stream (own namespace) for one test. */
  async function setup(relayOpts: Partial<OutboxRelayOptions> = {}, relayBroker: Broker = broker) {
    const schema = `itest_${++schemaCounter}`;
    const namespace = testNamespace();
    namespaces.push(namespace);
    const qr = dataSource.createQueryRunner();
    try {
      await createEventStoreTables(qr, schema);
      await createOutboxStreamsTable(qr, schema);
      await moveOutboxToItsOwnTable(qr, schema);
    } finally {
      await qr.release();
    }
    await ensureStream(broker, namespace, 'profiles');
    const store = new EventStore(schema);
    const metrics = new RippleMetrics('outbox-relay-itest');
    const relay = new OutboxRelay(
      dataSource,
      relayBroker,
      { schema, context: 'profiles', namespace, databaseUrl: db.url, pollIntervalMs: 100, ...relayOpts },
      metrics,
      logger,
    );
    relays.push(relay);
    const stream = streamName(namespace, 'profiles');
    return { schema, namespace, store, relay, stream, metrics };
  }

  const update = (fullName: string): Pick<UserProfileUpdated, 'type' | 'data'> => ({ type: 'UserProfileUpdated', data: { changes: { fullName } } });
  const ctx = () => {
    const id = uuidv7();
    return { correlationId: id, causationId: id, actor: 'itest' };
  };

  async function appendOne(store: EventStore, tx: EntityManager, aggregateId: string, expectedVersion: number, fullName: string) {
    const [e] = await store.append(tx, { aggregateType: 'user', aggregateId, expectedVersion, events: [update(fullName)], context: ctx() });
    return e;
  }

  async function streamMessages(stream: string): Promise<StreamedMessage[]> {
    const info = await broker.jsm.streams.info(stream);
    const out: StreamedMessage[] = [];
    if (info.state.messages === 0) return out;
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await broker.jsm.streams.getMessage(stream, { seq });
      if (!m) continue;
      out.push({ seq, msgId: m.header?.get('Nats-Msg-Id') || undefined, event: m.json<EventEnvelope>() });
    }
    return out;
  }

  async function messageCount(stream: string): Promise<number> {
    return (await broker.jsm.streams.info(stream)).state.messages;
  }

  async function unpublished(schema: string): Promise<number> {
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM "${schema}".outbox`);
    return n;
  }

  /** Every committed event is on the stream exactly once, with Nats-Msg-Id = event id, and is a valid contract event. */
  function expectExactlyOnce(messages: StreamedMessage[], committed: EventEnvelope[]) {
    expect(messages).toHaveLength(committed.length);
    const ids = messages.map((m) => m.msgId);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(committed.map((e) => e.id).sort());
    for (const m of messages) {
      expect(m.msgId).toBe(m.event.id);
      expect(() => parseEvent(m.event)).not.toThrow();
    }
  }

  it('publishes events committed while no relay ran (crash between commit and publish) exactly once', async () => {
    const { store, relay, stream, schema } = await setup();
    const committed: EventEnvelope[] = [];
    for (let u = 0; u < 5; u++) {
      const aggregateId = uuidv7();
      await dataSource.transaction(async (tx) => {
        committed.push(...(await store.append(tx, {
          aggregateType: 'user', aggregateId, expectedVersion: 0, events: [update(`a${u}`), update(`b${u}`), update(`c${u}`)], context: ctx(),
        })));
      });
    }
    expect(await messageCount(stream)).toBe(0);
    expect(await unpublished(schema)).toBe(15);

    await relay.start();
    await eventually(async () => (await unpublished(schema)) === 0, { what: 'the relay to publish the backlog' });
    await relay.stop();

    const messages = await streamMessages(stream);
    expectExactlyOnce(messages, committed);
    // Per aggregate, the stream holds the versions in order.
    for (const aggregateId of new Set(committed.map((e) => e.aggregateId))) {
      expect(messages.filter((m) => m.event.aggregateId === aggregateId).map((m) => m.event.aggregateVersion)).toEqual([1, 2, 3]);
    }
  });

  it('republishing after a crash between PubAck and the mark leaves each event once on the stream', async () => {
    const { store, relay, stream, schema } = await setup();
    const committed: EventEnvelope[] = [];
    for (let i = 0; i < 10; i++) {
      committed.push(await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, `n${i}`)));
    }
    // First pass: published and acknowledged by JetStream; the marks wait for the next pass, which carries them.
    expect(await relay.publishBatch()).toBe(10);
    expect(await unpublished(schema)).toBe(10);
    expect(await relay.publishBatch()).toBe(0);
    expect(await unpublished(schema)).toBe(0);
    expectExactlyOnce(await streamMessages(stream), committed);

    // The "mark published" update is lost for part of the batch (as if the relay died after the PubAck) ...
    await dataSource.query(`INSERT INTO "${schema}".outbox SELECT position FROM "${schema}".events WHERE id = ANY($1::uuid[])`, [committed.slice(0, 4).map((e) => e.id)]);
    // ... and for all of it, through the operator's republish path.
    const second = await dataSource.transaction(async (tx) => {
      const n = await store.scheduleRepublish(tx);
      return n;
    });
    // Every event from position 0: the six still marked and the four whose mark was lost.
    expect(second).toBe(10);
    expect(await unpublished(schema)).toBe(10);

    // A new event committed meanwhile must go out with the republished ones.
    const late = await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, 'late'));
    committed.push(late);

    await relay.start();
    await eventually(async () => (await unpublished(schema)) === 0, { what: 'the relay to republish' });
    await relay.stop();

    // Within the duplicate window the broker drops the republished copies.
    expectExactlyOnce(await streamMessages(stream), committed);
  });

  it('never lets a late mark undo a republish scheduled after the PubAck: the events go out again', async () => {
    const { store, relay, stream, schema } = await setup();
    const committed: EventEnvelope[] = [];
    for (let i = 0; i < 5; i++) committed.push(await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, `r${i}`)));
    const republish = () => dataSource.transaction((tx) => store.scheduleRepublish(tx));

    // Published, marks pending; then the operator republishes (the broker may have lost them since their PubAcks).
    expect(await relay.publishBatch()).toBe(5);
    expect(await republish()).toBe(5);
    // The next pass marks none of them: it reads them again and sends them again.
    expect(await relay.publishBatch()).toBe(5);

    // The same when the marks go on their own.
    expect(await republish()).toBe(5);
    await relay.markPublished();
    expect(await unpublished(schema)).toBe(5);
    expect(await relay.publishBatch()).toBe(5);
    await relay.markPublished();
    expect(await unpublished(schema)).toBe(0);

    // Within the duplicate window the broker drops the copies.
    expectExactlyOnce(await streamMessages(stream), committed);
  });

  it('republishes what it published since a given time, from the lowest position it marked in that minute', async () => {
    const { store, relay, schema } = await setup();
    const append = async (n: number, tag: string) => {
      for (let i = 0; i < n; i++) await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, `${tag}${i}`));
    };
    const republishSince = (minutesAgo: number) => dataSource.transaction((tx) => store.scheduleRepublish(tx, 0, new Date(Date.now() - minutesAgo * 60_000)));
    // Three events published and marked, their minute moved an hour back; then four more published and marked now.
    await append(3, 'old');
    expect(await relay.publishBatch()).toBe(3);
    await relay.markPublished();
    await dataSource.query(`UPDATE "${schema}".outbox_published SET minute = minute - interval '1 hour'`);
    await append(4, 'new');
    expect(await relay.publishBatch()).toBe(4);
    await relay.markPublished();
    expect(await unpublished(schema)).toBe(0);
    const published = await dataSource.query(`SELECT low_position::int AS low FROM "${schema}".outbox_published ORDER BY minute`);
    expect(published).toEqual([{ low: 1 }, { low: 4 }]);

    // Nothing was published in the last minute's future; one more event is waiting: only it goes out.
    await append(1, 'waiting');
    expect(await dataSource.transaction((tx) => store.scheduleRepublish(tx, 0, new Date(Date.now() + 120_000)))).toBe(1);
    // Published in the last half hour: the four, and the one waiting.
    expect(await republishSince(30)).toBe(5);
    expect(await unpublished(schema)).toBe(5);
    // Published in the last two hours: all eight.
    expect(await republishSince(120)).toBe(8);
    expect(await relay.publishBatch()).toBe(8);
    await relay.markPublished();
    expect(await unpublished(schema)).toBe(0);
  });

  it('compacts the publish log to a row a day past a week, and "published since" still covers all it did', async () => {
    const { store, relay, schema } = await setup();
    for (let i = 0; i < 20; i++) await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, `e${i}`));
    expect(await relay.publishBatch()).toBe(20);
    await relay.markPublished();
    // The log as if the twenty had been marked over the last ten days ('d' days back from today's start, plus a time of day).
    const at = (d: number, time: string) => `date_trunc('day', now()) - interval '${d} days' + interval '${time}'`;
    const log: [number, string, number][] = [[10, '01:00', 5], [10, '13:00', 3], [10, '23:59', 8], [9, '12:00', 12], [2, '08:00', 15], [2, '09:00', 14], [0, '00:00', 20]];
    await dataSource.query(`DELETE FROM "${schema}".outbox_published`);
    for (const [d, time, low] of log) await dataSource.query(`INSERT INTO "${schema}".outbox_published (minute, low_position) VALUES (${at(d, time)}, $1)`, [low]);
    /** How many events a republish of what was published since that moment sends (the outbox emptied again after). */
    const since = async (d: number, time: string) => {
      const [{ t }] = await dataSource.query(`SELECT ${at(d, time)} AS t`);
      const n = await dataSource.transaction((tx) => store.scheduleRepublish(tx, 0, t));
      await dataSource.query(`DELETE FROM "${schema}".outbox`);
      return n;
    };
    const moments: [number, string][] = [[11, '00:00'], [10, '00:00'], [10, '12:00'], [10, '23:59'], [9, '00:00'], [9, '12:01'], [2, '08:30'], [1, '00:00']];
    const before = [];
    for (const [d, time] of moments) before.push(await since(d, time));
    expect(before).toEqual([18, 18, 18, 13, 9, 7, 7, 1]);

    // The relay compacts as it starts leading. Day ten's three minutes become one, at its last minute with its
    // lowest position; day nine has one already; day two is within the week.
    await relay.start();
    const logRows = async () => (await dataSource.query(`SELECT count(*)::int AS n FROM "${schema}".outbox_published`))[0].n as number;
    await eventually(async () => (await logRows()) === 5, { what: 'the publish log compacted' });
    const rows = await dataSource.query(
      `SELECT (date_trunc('day', now()) - date_trunc('day', minute)) AS ago, to_char(minute, 'HH24:MI') AS time, low_position::int AS low FROM "${schema}".outbox_published ORDER BY minute`,
    );
    expect(rows.map((r: { ago: { days?: number }; time: string; low: number }) => [r.ago.days ?? 0, r.time, r.low])).toEqual([[10, '23:59', 3], [9, '12:00', 12], [2, '08:00', 15], [2, '09:00', 14], [0, '00:00', 20]]);
    const after = [];
    for (const [d, time] of moments) after.push(await since(d, time));
    // The same, but from day ten's last minute, which now sends all of day ten again.
    expect(after).toEqual([18, 18, 18, 18, 9, 7, 7, 1]);
    expect(await store.compactPublishedLog(dataSource)).toBe(0);
  });

  it('moves the outbox out of the event store once when two instances migrate at the same time, keeping what was unpublished', async () => {
    const schema = `itest_${++schemaCounter}`;
    const setupRunner = dataSource.createQueryRunner();
    await createEventStoreTables(setupRunner, schema);
    await setupRunner.release();
    const store = new EventStore(schema);
    await dataSource.query(
      `INSERT INTO "${schema}".events (id, stream_id, aggregate_type, version, type, schema_version, data, correlation_id, causation_id, actor, occurred_at, published_at)
       SELECT gen_random_uuid(), 'u' || g, 'user', 1, 'UserProfileUpdated', 1, '{}', 'c', 'c', 'a', now(), CASE WHEN g <= 3 THEN now() END FROM generate_series(1, 5) g`,
    );
    const runners = [dataSource.createQueryRunner(), dataSource.createQueryRunner()];
    await Promise.all(runners.map(async (qr) => {
      await qr.startTransaction();
      await moveOutboxToItsOwnTable(qr, schema);
      await qr.commitTransaction();
      await qr.release();
    }));
    const [{ outbox, published }] = await dataSource.query(
      `SELECT (SELECT array_agg(position::int ORDER BY position) FROM "${schema}".outbox) AS outbox, (SELECT count(*)::int FROM "${schema}".outbox_published) AS published`,
    );
    expect({ outbox, published }).toEqual({ outbox: [4, 5], published: 1 });
    // The trigger is there once: an append adds one outbox row.
    await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, 'after the move'));
    expect(await unpublished(schema)).toBe(3);
  });

  it('drops an outbox row whose event is gone (removed by hand) instead of being held up by it', async () => {
    const { store, relay, stream, schema } = await setup();
    await dataSource.query(`INSERT INTO "${schema}".outbox VALUES (424242)`);
    const e = await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, 'after an orphan'));
    expect(await relay.publishBatch()).toBe(2);
    await relay.markPublished();
    expect(await unpublished(schema)).toBe(0);
    expectExactlyOnce(await streamMessages(stream), [e]);
  });

  it('does not skip an event whose transaction commits after a later-numbered one', async () => {
    const { store, relay, stream, schema } = await setup();
    await relay.start();

    const qrA = dataSource.createQueryRunner();
    const qrB = dataSource.createQueryRunner();
    await qrA.connect();
    await qrB.connect();
    try {
      await qrA.startTransaction();
      await qrB.startTransaction();
      const a = await appendOne(store, qrA.manager, uuidv7(), 0, 'first-numbered');
      const b = await appendOne(store, qrB.manager, uuidv7(), 0, 'second-numbered');
      const [{ position: posA }] = await qrA.query(`SELECT position::bigint AS position FROM "${schema}".events WHERE id = $1`, [a.id]);
      const [{ position: posB }] = await qrB.query(`SELECT position::bigint AS position FROM "${schema}".events WHERE id = $1`, [b.id]);
      expect(BigInt(posA)).toBeLessThan(BigInt(posB));

      // B commits first and is published while A (lower position) is still open.
      await qrB.commitTransaction();
      const afterB = await eventually(async () => {
        const m = await streamMessages(stream);
        return m.length > 0 && m;
      }, { what: "B's event on the stream" });
      expect(afterB.map((m) => m.event.id)).toEqual([b.id]);
      await eventually(async () => (await unpublished(schema)) === 0, { what: 'B to be marked published' });

      // Now A commits: a relay that moved a cursor past B's position would never send it.
      await qrA.commitTransaction();
      await eventually(async () => (await unpublished(schema)) === 0 && (await messageCount(stream)) === 2, { what: "A's event on the stream" });
      const messages = await streamMessages(stream);
      expectExactlyOnce(messages, [a, b]);
      expect(messages.map((m) => m.event.id)).toEqual([b.id, a.id]);
    } finally {
      if (qrA.isTransactionActive) await qrA.rollbackTransaction();
      if (qrB.isTransactionActive) await qrB.rollbackTransaction();
      await qrA.release();
      await qrB.release();
      await relay.stop();
    }
  });

  /** Counts the relay's finished passes, and its publishes of this process's appends from memory. */
  function countTurns(relay: OutboxRelay) {
    const turns = { passes: 0, direct: 0 };
    const publishBatch = relay.publishBatch.bind(relay);
    relay.publishBatch = async () => {
      const n = await publishBatch();
      turns.passes++;
      return n;
    };
    const publishDirect = relay.publishDirect.bind(relay);
    relay.publishDirect = async (appended) => {
      await publishDirect(appended);
      turns.direct++;
    };
    return turns;
  }

  /** Appends an event the way another process would: no wake-up reaches this process's relay (it waits in the outbox for a pass). */
  async function appendElsewhere(schema: string, aggregateId: string, version: number, fullName: string): Promise<EventEnvelope> {
    const id = uuidv7();
    const [row] = await dataSource.query(
      `INSERT INTO "${schema}".events (id, stream_id, aggregate_type, version, type, schema_version, data, correlation_id, causation_id, actor, occurred_at)
       VALUES ($1, $2, 'user', $3, 'UserProfileUpdated', 1, $4, $5, $5, 'elsewhere', now()) RETURNING occurred_at`,
      [id, aggregateId, version, JSON.stringify(update(fullName).data), id],
    );
    return { id, aggregateId, aggregateVersion: version, occurredAt: row.occurred_at } as EventEnvelope;
  }

  it.each([
    ['dropped before its PubAck', 'disconnect'],
    ['was down when it was sent (buffered by the client, sent on reconnecting)', 'reconnect'],
  ] as const)('fails a publish whose broker connection %s, and publishes the event again at once, not after the PubAck timeout', async (_, type) => {
    // The relay's connection, but the first publish's PubAck never comes, and the test says when the connection drops.
    const statuses = statusFeed();
    let publishes = 0;
    const lossy: Broker = {
      ...broker,
      nc: overriding(broker.nc, { status: () => statuses }),
      js: overriding(broker.js, {
        publish: (...args: Parameters<Broker['js']['publish']>) => (++publishes === 1 ? new Promise<never>(() => undefined) : broker.js.publish(...args)),
      }),
    };
    const { store, relay, stream } = await setup({}, lossy);
    await relay.start();
    const e = await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, 'in flight when the connection dropped'));
    await eventually(async () => publishes === 1, { what: 'the publish to go out' });
    expect(await messageCount(stream)).toBe(0);

    statuses.push({ type, server: 'the test' });
    await eventually(async () => (await messageCount(stream)) === 1, { what: 'the event published again', timeoutMs: 5000 });
    await relay.stop();
    expectExactlyOnce(await streamMessages(stream), [e]);
  });

  it('stops watching the broker connection when it stops', async () => {
    // A relay started and stopped on a connection that outlives it leaves no status listener behind.
    const listeners = () => (broker.nc as unknown as { protocol: { listeners: unknown[] } }).protocol.listeners.length;
    const before = listeners();
    const { relay } = await setup();
    await relay.start();
    expect(listeners()).toBe(before + 1);
    await relay.stop();
    expect(listeners()).toBe(before);
  });

  it('publishes an append of this process from memory, with no pass, and marks it published', async () => {
    const { store, relay, stream, schema, metrics } = await setup({ pollIntervalMs: 60_000 });
    const turns = countTurns(relay);
    await relay.start();
    await eventually(async () => turns.passes >= 1, { what: 'the relay to go idle' });

    const aggregateId = uuidv7();
    const first = await dataSource.transaction((tx) => appendOne(store, tx, aggregateId, 0, 'direct-1'));
    await eventually(async () => (await unpublished(schema)) === 0, { what: 'the first event published and marked' });
    const { events: [second] } = await store.appendAtomically(dataSource, { aggregateType: 'user', aggregateId, expectedVersion: 1, events: [update('direct-2')], context: ctx() }, []);
    await eventually(async () => (await unpublished(schema)) === 0, { what: 'the second event published and marked' });

    expect(turns).toEqual({ passes: 1, direct: 2 });
    expect((await metrics.eventsPublished.get()).values[0].value).toBe(2);
    await relay.stop();
    const messages = await streamMessages(stream);
    expectExactlyOnce(messages, [first, second]);
    expect(messages.map((m) => m.event)).toEqual(JSON.parse(JSON.stringify([first, second])));
  });

  it('sends an append whose stream still has an earlier event waiting in the outbox (another process\'s) after that event, by a pass', async () => {
    const { store, relay, stream, schema } = await setup({ pollIntervalMs: 60_000 });
    const turns = countTurns(relay);
    await relay.start();
    await eventually(async () => turns.passes >= 1, { what: 'the relay to go idle' });

    const aggregateId = uuidv7();
    const elsewhere = await appendElsewhere(schema, aggregateId, 1, 'from another process');
    const mine = await dataSource.transaction((tx) => appendOne(store, tx, aggregateId, 1, 'from this process'));
    await eventually(async () => (await unpublished(schema)) === 0, { what: 'both events published' });
    await relay.stop();
    const messages = await streamMessages(stream);
    expect(messages.map((m) => [m.event.id, m.event.aggregateVersion])).toEqual([[elsewhere.id, 1], [mine.id, 2]]);
    expect(turns).toEqual({ passes: 2, direct: 0 });
  });

  it('tells the relay, with each append, where its events wait in the outbox and whether their streams\' earlier events have left it', async () => {
    const { store, schema } = await setup();
    const handed: Appended[] = [];
    const unwake = wakeLocally(outboxChannel(schema), (local) => (handed.push(...(local as Appended[])), true));
    try {
      const a = uuidv7();
      const b = uuidv7();
      const rowsOf = async (events: EventEnvelope[]) => (await dataSource.query(
        `SELECT o.position::text AS position, o.xmin::text AS xmin FROM "${schema}".outbox o JOIN "${schema}".events e USING (position) WHERE e.id = ANY($1::uuid[]) ORDER BY position`,
        [events.map((e) => e.id)],
      )) as { position: string; xmin: string }[];
      const expectHanded = async (events: EventEnvelope[], clear: boolean) => {
        const [h] = handed.splice(0);
        const rows = await rowsOf(events);
        expect(h.events).toEqual(events);
        expect(h.outbox).toEqual({ positions: rows.map((r) => r.position), xmin: rows[0].xmin, clear });
      };

      // New streams: nothing before them.
      const first = await store.appendAtomically(dataSource, { aggregateType: 'user', aggregateId: a, expectedVersion: 0, events: [update('a1'), update('a2')], context: ctx() }, []);
      await expectHanded(first.events, true);
      // a's version 2 still waits: a's next is not clear, in a transaction as in one statement; b's first is.
      const second = await dataSource.transaction((tx) => store.appendMany(tx, [
        { aggregateType: 'user', aggregateId: b, expectedVersion: 0, events: [update('b1')], context: ctx() },
        { aggregateType: 'user', aggregateId: a, expectedVersion: 2, events: [update('a3')], context: ctx() },
      ]));
      await expectHanded(second, false);
      // Once a's and b's are marked published (their rows gone), the next of each is clear again, also as a write for later.
      await dataSource.query(`DELETE FROM "${schema}".outbox`);
      await dataSource.transaction(async (tx) => {
        const later = store.appendLater(tx, [{ aggregateType: 'user', aggregateId: a, expectedVersion: 3, events: [update('a4')], context: ctx() },
          { aggregateType: 'user', aggregateId: b, expectedVersion: 1, events: [update('b2')], context: ctx() }])!;
        later.returned(await tx.query(later.text, later.values));
      });
      await expectHanded(handed[0].events, true);
      // Only a's latest (version 4) left waiting: a's next is held back, and with it the statement's b.
      await dataSource.query(`DELETE FROM "${schema}".outbox`);
      await dataSource.query(`INSERT INTO "${schema}".outbox SELECT position FROM "${schema}".events WHERE stream_id = $1 AND version = 4`, [a]);
      const held = await dataSource.transaction((tx) => store.appendMany(tx, [
        { aggregateType: 'user', aggregateId: b, expectedVersion: 2, events: [update('b3')], context: ctx() },
        { aggregateType: 'user', aggregateId: a, expectedVersion: 4, events: [update('a5')], context: ctx() },
      ]));
      const [{ outbox }] = handed.splice(0);
      expect(held).toHaveLength(2);
      expect(outbox!.clear).toBe(false);
    } finally {
      unwake();
    }
  });

  it('is woken by a commit (in this process directly, from others by NOTIFY): an appended event is published long before the fallback poll', async () => {
    const { store, relay, stream } = await setup({ pollIntervalMs: 60_000 });
    // Count the relay's finished turns: after one it goes to sleep until something commits (or the 60 s poll).
    const turns = countTurns(relay);
    await relay.start();
    await eventually(async () => turns.passes >= 1, { what: 'the relay to go idle' });

    const first = await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, 'wake-1'));
    await eventually(async () => (await messageCount(stream)) === 1, { what: 'the first event after NOTIFY' });
    await eventually(async () => turns.passes + turns.direct >= 2, { what: 'the relay to go idle again' });

    const second = await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, 'wake-2'));
    await eventually(async () => (await messageCount(stream)) === 2, { what: 'the second event after NOTIFY' });
    await relay.stop();
    expectExactlyOnce(await streamMessages(stream), [first, second]);
  });

  it('makes up for what its LISTEN connection missed: once it listens again, it takes a pass', async () => {
    const { store, relay, stream, schema } = await setup({ pollIntervalMs: 60_000 });
    await relay.start();
    const first = await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, 'before'));
    await eventually(async () => (await unpublished(schema)) === 0, { what: 'the first event to be published' });

    // Unpublished behind the relay's back (no wake-up at all): only a pass finds it, and the next poll is a minute away.
    await dataSource.query(`INSERT INTO ${schema}.outbox SELECT position FROM ${schema}.events`);
    const killed = await dataSource.query(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
      [`ripple-outbox-${schema}`],
    );
    expect(killed).toEqual([{ n: 1 }]);
    await eventually(async () => (await unpublished(schema)) === 0, { what: 'a pass once LISTEN is back' });
    expect(relay.isLeader).toBe(true);
    await relay.stop();
    expectExactlyOnce(await streamMessages(stream), [first]);
  });

  it('runs one active relay per schema, and a standby takes over when the active one loses its connection', async () => {
    const { store, relay: first, stream, schema, namespace, metrics } = await setup();
    const second = new OutboxRelay(dataSource, broker, { schema, context: 'profiles', namespace, databaseUrl: db.url, pollIntervalMs: 100 }, metrics, logger);
    relays.push(second);
    await first.start();
    await second.start();
    const committed: EventEnvelope[] = [];
    for (let i = 0; i < 5; i++) committed.push(await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, `a${i}`)));
    await eventually(async () => (await messageCount(stream)) === 5, { what: 'the first five events' });

    // Kill the active relay's lease connection: its lock goes with it.
    expect(await terminateLeaseHolders(dataSource, leaseKey('outbox-relay', schema))).toBe(1);
    for (let i = 0; i < 5; i++) committed.push(await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, `b${i}`)));
    await eventually(async () => (await messageCount(stream)) === 10, { what: 'the events after the takeover' });
    await first.stop();
    await second.stop();
    expectExactlyOnce(await streamMessages(stream), committed);
  });

  it('re-creates a stream lost under it and publishes again every event it had published, once each', async () => {
    const { store, relay, stream } = await setup();
    await relay.start();
    const committed: EventEnvelope[] = [];
    for (let i = 0; i < 5; i++) committed.push(await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, `before-${i}`)));
    await eventually(async () => (await messageCount(stream)) === 5, { what: 'the first five events' });

    // The broker loses the stream (as with its store wiped); the next publish finds no stream.
    await broker.jsm.streams.delete(stream);
    committed.push(await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, 'after')));
    await eventually(async () => (await messageCount(stream).catch(() => 0)) === 6, { what: 'the stream re-created and refilled' });
    expectExactlyOnce(await streamMessages(stream), committed);

    // Lost again while nothing is published: the periodic check finds it.
    await broker.jsm.streams.delete(stream);
    await relay.checkStream();
    await eventually(async () => (await messageCount(stream).catch(() => 0)) === 6, { what: 'the stream refilled by the check' });
    await relay.stop();
    expectExactlyOnce(await streamMessages(stream), committed);
  });

  it('notices from a PubAck numbered below earlier ones that its stream started over (re-created by another app)', async () => {
    const { store, relay, stream, namespace } = await setup();
    await relay.start();
    const committed: EventEnvelope[] = [];
    for (let i = 0; i < 3; i++) committed.push(await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, `old-${i}`)));
    await eventually(async () => (await messageCount(stream)) === 3, { what: 'three events published' });

    // A consumer's app finds the stream gone first and declares it again, empty: the relay's next publish succeeds, at sequence 1.
    await broker.jsm.streams.delete(stream);
    await ensureStream(broker, namespace, 'profiles');
    committed.push(await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, 'new')));
    await eventually(async () => (await messageCount(stream)) === 4, { what: 'the lost events published again' });
    await relay.stop();
    expectExactlyOnce(await streamMessages(stream), committed);
  });

  it('notices at start that its stream was lost and created again while no relay ran', async () => {
    const { store, relay, stream, schema, namespace, metrics } = await setup();
    await relay.start();
    const committed: EventEnvelope[] = [];
    for (let i = 0; i < 4; i++) committed.push(await dataSource.transaction((tx) => appendOne(store, tx, uuidv7(), 0, `e${i}`)));
    await eventually(async () => (await unpublished(schema)) === 0 && (await messageCount(stream)) === 4, { what: 'four events published' });
    await relay.stop();

    await broker.jsm.streams.delete(stream);
    await ensureStream(broker, namespace, 'profiles');
    expect(await messageCount(stream)).toBe(0);

    const next = new OutboxRelay(dataSource, broker, { schema, context: 'profiles', namespace, databaseUrl: db.url, pollIntervalMs: 100 }, metrics, logger);
    relays.push(next);
    await next.start();
    await eventually(async () => (await messageCount(stream)) === 4, { what: 'the events published again' });
    await next.stop();
    expectExactlyOnce(await streamMessages(stream), committed);
  });

  it('rejects the second of two appends at the same expectedVersion with the current version', async () => {
    const { store, schema } = await setup();
    const aggregateId = uuidv7();

    // Sequential: the stale writer learns the current version.
    await dataSource.transaction((tx) => appendOne(store, tx, aggregateId, 0, 'v1'));
    const stale = dataSource.transaction((tx) => appendOne(store, tx, aggregateId, 0, 'stale'));
    await expect(stale).rejects.toBeInstanceOf(StreamVersionConflictError);
    await expect(stale).rejects.toMatchObject({ code: 'VERSION_CONFLICT', streamId: aggregateId, expectedVersion: 0, currentVersion: 1 });

    // Concurrent: two open transactions both at expectedVersion 1; exactly one wins.
    const qrA = dataSource.createQueryRunner();
    const qrB = dataSource.createQueryRunner();
    await qrA.connect();
    await qrB.connect();
    try {
      await qrA.startTransaction();
      await qrB.startTransaction();
      await store.append(qrA.manager, { aggregateType: 'user', aggregateId, expectedVersion: 1, events: [update('a2'), update('a3')], context: ctx() });
      // B's insert waits on A's uncommitted (stream, version) row, then fails when A commits.
      const appendB = appendOne(store, qrB.manager, aggregateId, 1, 'b2').then(
        () => undefined,
        (err: unknown) => err,
      );
      await qrA.commitTransaction();
      const err = await appendB;
      expect(err).toBeInstanceOf(StreamVersionConflictError);
      expect(err).toMatchObject({ streamId: aggregateId, expectedVersion: 1, currentVersion: 3 });

      // The loser's transaction is still usable: it can decide again on the current version.
      const retried = await appendOne(store, qrB.manager, aggregateId, 3, 'b4');
      expect(retried.aggregateVersion).toBe(4);
      await qrB.commitTransaction();
    } finally {
      if (qrA.isTransactionActive) await qrA.rollbackTransaction();
      if (qrB.isTransactionActive) await qrB.rollbackTransaction();
      await qrA.release();
      await qrB.release();
    }
    const rows: { version: number; data: { changes: { fullName: string } } }[] = await dataSource.query(
      `SELECT version, data FROM "${schema}".events WHERE stream_id = $1 ORDER BY version`,
      [aggregateId],
    );
    expect(rows.map((r) => [r.version, r.data.changes.fullName])).toEqual([[1, 'v1'], [2, 'a2'], [3, 'a3'], [4, 'b4']]);

    // Several streams in one statement, one of them at a stale version: none is appended, and the outbox keeps
    // no row of them, though the caller goes on and commits.
    const caught = await dataSource.transaction((tx) => store.appendMany(tx, [
      { aggregateType: 'user', aggregateId: uuidv7(), expectedVersion: 0, events: [update('f1')], context: ctx() },
      { aggregateType: 'user', aggregateId, expectedVersion: 1, events: [update('stale again')], context: ctx() },
    ]).then(() => undefined, (err: unknown) => err));
    expect(caught).toMatchObject({ streamId: aggregateId, currentVersion: 4 });
    const [{ orphans, outbox, events }] = await dataSource.query(
      `SELECT (SELECT count(*)::int FROM "${schema}".outbox o WHERE NOT EXISTS (SELECT 1 FROM "${schema}".events e WHERE e.position = o.position)) AS orphans,
         (SELECT count(*)::int FROM "${schema}".outbox) AS outbox, (SELECT count(*)::int FROM "${schema}".events) AS events`,
    );
    expect({ orphans, outbox, events }).toEqual({ orphans: 0, outbox: 4, events: 4 });
  });
});

/** `target` with some of its members replaced (the rest bound to it). */
function overriding<T extends object>(target: T, members: Record<string, unknown>): T {
  return new Proxy(target, {
    get: (t, prop) => {
      if (typeof prop === 'string' && prop in members) return members[prop];
      const value = Reflect.get(t, prop, t);
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
}

/** An async iterable of connection statuses the test pushes. */
function statusFeed() {
  const queued: Status[] = [];
  const waiting: ((r: IteratorResult<Status>) => void)[] = [];
  return {
    push(status: Status) {
      const next = waiting.shift();
      if (next) next({ value: status, done: false });
      else queued.push(status);
    },
    [Symbol.asyncIterator]: (): AsyncIterator<Status> => ({
      next: () => (queued.length ? Promise.resolve({ value: queued.shift()!, done: false }) : new Promise((resolve) => waiting.push(resolve))),
    }),
  };
}
