#!/usr/bin/env node
/**
 * The outbox relay's pass as the event store grows: CYCLES times, one transaction appends BATCH
 * events (one per stream) and the relay takes one pass (`publishBatch`: it marks what the pass
 * before published, reads what is left, publishes it to JetStream and waits for the PubAcks).
 * Prints the pass's time at each tenth of the run beside the first tenth's (the baseline: a
 * small store), and the size of the event store and of the outbox at the end.
 *
 * Until the fourteenth session a mark was an UPDATE of the event row (`published_at`) that could
 * not be HOT; where nothing vacuums (this machine's PostgreSQL runs with autovacuum off) the pass
 * got slower as the store grew (2.5 → 42 ms after 20,000 passes of 12, in a raw-SQL replica).
 *
 * Run after `npm run build`: node test/bench/outbox-pass.js [cycles, default 10000] [batch, default 12]
 * (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres, gets a fresh database that is
 * dropped after; NATS_URL, default nats://127.0.0.1:4222, a stream of its own, deleted after.)
 */
process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
process.env.NATS_URL ??= 'nats://127.0.0.1:4222';
const { DataSource } = require('typeorm');
const { uuidv7 } = require('@ripple/contracts');
const { connectBroker, ensureStream } = require('@ripple/messaging');
const { JsonLogger, RippleMetrics } = require('@ripple/observability');
const { createTestDatabase, deleteNamespaceStreams, testNamespace } = require('@ripple/testing');
const { EventStore, createEventStoreTables, createOutboxStreamsTable, moveOutboxToItsOwnTable } = require('@ripple/event-store');
const { OutboxRelay } = require('@ripple/relay');

const CYCLES = Number(process.argv[2] ?? 10_000);
const BATCH = Number(process.argv[3] ?? 12);
const SCHEMA = 'bench_outbox';

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

(async () => {
  const db = await createTestDatabase('ripple_outbox_pass', process.env.DATABASE_URL);
  const dataSource = new DataSource({ type: 'postgres', url: db.url, extra: { max: 4 } });
  await dataSource.initialize();
  const broker = await connectBroker(process.env.NATS_URL, 'outbox-pass');
  const namespace = testNamespace();
  try {
    const qr = dataSource.createQueryRunner();
    await createEventStoreTables(qr, SCHEMA);
    await createOutboxStreamsTable(qr, SCHEMA);
    // Absent before the fourteenth session: the script runs at an older commit too, to compare.
    if (moveOutboxToItsOwnTable) await moveOutboxToItsOwnTable(qr, SCHEMA);
    await qr.release();
    await ensureStream(broker, namespace, 'profiles');
    const store = new EventStore(SCHEMA);
    const relay = new OutboxRelay(dataSource, broker, { schema: SCHEMA, context: 'profiles', namespace, databaseUrl: db.url }, new RippleMetrics('outbox-pass'), new JsonLogger('outbox-pass', 'error'));
    const context = { correlationId: uuidv7(), causationId: uuidv7(), actor: 'bench' };
    const passes = [];
    const started = Date.now();
    for (let i = 0; i < CYCLES; i++) {
      await dataSource.transaction((tx) => store.appendMany(tx, Array.from({ length: BATCH }, (_, k) => ({
        aggregateType: 'user', aggregateId: `u${i}-${k}`, expectedVersion: 0, events: [{ type: 'UserProfileUpdated', data: { changes: { fullName: `name ${i} ${k}` } } }], context,
      }))));
      const t = process.hrtime.bigint();
      const n = await relay.publishBatch();
      passes.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (n !== BATCH) throw new Error(`pass ${i} read ${n} events, not ${BATCH}`);
    }
    await relay.markPublished();
    const tenth = Math.max(1, Math.floor(CYCLES / 10));
    const summary = (from) => {
      const s = passes.slice(from, from + tenth).sort((a, b) => a - b);
      return { p50: quantile(s, 0.5), p99: quantile(s, 0.99) };
    };
    const base = summary(0);
    console.log(`${CYCLES} passes of ${BATCH} events in ${((Date.now() - started) / 1000).toFixed(0)} s; pass time (ms, read + publish + mark) by tenth of the run, beside the first tenth's:`);
    console.log('| passes | events in the store | p50 | p99 | p50 ÷ first tenth |');
    console.log('| --- | --- | --- | --- | --- |');
    for (let from = 0; from + tenth <= CYCLES; from += tenth) {
      const s = summary(from);
      console.log(`| ${from + 1}–${from + tenth} | ${((from + tenth) * BATCH).toLocaleString('en')} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${(s.p50 / base.p50).toFixed(2)}× |`);
    }
    const sizes = await dataSource.query(`SELECT c.relname AS name, pg_relation_size(c.oid) / 8192 AS pages FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'i') ORDER BY 1`, [SCHEMA]);
    console.log(`pages at the end: ${sizes.map((r) => `${r.name} ${r.pages}`).join(', ')}`);
  } finally {
    await deleteNamespaceStreams(broker.jsm, namespace).catch(() => undefined);
    await broker.nc.close();
    await dataSource.destroy();
    await db.drop();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
