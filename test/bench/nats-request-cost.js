#!/usr/bin/env node
/**
 * CPU per JetStream publish (each awaiting its PubAck, 16 in flight) with nats-core's own
 * `RequestOne.cancel` beside Ripple's (`shareCancelledRequestError`, libs/messaging: the
 * "cancelled" rejection every finished request ends with uses one error made once, instead of
 * a new one with its stack captured). The two alternate ROUNDS times in one process, on one
 * connection made as Ripple makes it (`noAsyncTraces`), into a memory stream of its own.
 * Run after `npm run build`: node test/bench/nats-request-cost.js [publishes per run, default 20000] [rounds, default 4]
 * (NATS_URL, default nats://127.0.0.1:4222; the stream is created and deleted by the script.)
 */
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager } = require('@nats-io/jetstream');
const { RequestOne } = require('@nats-io/nats-core/internal');

const N = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 4);
const u = new URL(process.env.NATS_URL ?? 'nats://127.0.0.1:4222');

(async () => {
  const own = RequestOne.prototype.cancel;
  require('@ripple/messaging').shareCancelledRequestError();
  const shared = RequestOne.prototype.cancel;
  if (shared === own) throw new Error('shareCancelledRequestError did not replace RequestOne.prototype.cancel');
  const nc = await connect({ servers: `${u.hostname}:${u.port || 4222}`, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = `NATS_REQUEST_COST_${process.pid}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], storage: 'memory' });
  const run = async () => {
    const cpu = process.cpuUsage();
    const t = performance.now();
    const inflight = new Set();
    for (let i = 0; i < N; i++) {
      const p = js.publish(`${stream}.x`, 'x');
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      if (inflight.size >= 16) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    const used = process.cpuUsage(cpu);
    return { cpuUs: (used.user + used.system) / N, perSecond: Math.round(N / ((performance.now() - t) / 1000)) };
  };
  try {
    await run(); // warm-up, unreported
    const results = { 'nats-core': [], shared: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, cancel] of r % 2 ? [['shared', shared], ['nats-core', own]] : [['nats-core', own], ['shared', shared]]) {
        RequestOne.prototype.cancel = cancel;
        results[name].push(await run());
      }
    }
    console.log(`${N} JetStream publishes per run, 16 in flight, ${ROUNDS} rounds alternated (each run: CPU µs per publish, publishes/s)`);
    for (const [name, runs] of Object.entries(results)) {
      console.log(`${name.padEnd(10)} ${runs.map((x) => `${x.cpuUs.toFixed(1)} µs, ${x.perSecond}/s`).join('; ')}`);
    }
  } finally {
    RequestOne.prototype.cancel = shared;
    await jsm.streams.delete(stream);
    await nc.close();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
