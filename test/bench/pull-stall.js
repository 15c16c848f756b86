#!/usr/bin/env node
/**
 * The JetStream pull stall on a bare durable consumer, without Ripple: messages published at a
 * steady rate, consumed by back-to-back fetches (max 1,000, expires 1 s, acked on arrival), with
 * one pull outstanding at a time (what the projection runner did) against two staggered by half
 * a pull's life (what it does now). Prints publish → receive latency for each, same run.
 * On nats-server 2.9.10 and this 2-core machine, one pull at a time stalls up to 1-2 s once the
 * machine is busy; two do not.
 * Run: node test/bench/pull-stall.js [rate/s, default 100] [seconds per mode, default 30]
 * (NATS_URL, default nats://127.0.0.1:4222; the stream is created and deleted by the script.)
 */
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager, AckPolicy } = require('@nats-io/jetstream');

const RATE = Number(process.argv[2] ?? 100);
const SECONDS = Number(process.argv[3] ?? 30);
const servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

async function measure(pullsOutstanding) {
  const consuming = await connect({ servers });
  const publishing = await connect({ servers });
  const jsm = await jetstreamManager(consuming);
  const stream = `PULL_STALL_${process.pid}_${pullsOutstanding}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  await jsm.consumers.add(stream, { durable_name: 'c', ack_policy: AckPolicy.Explicit });
  const consumer = await jetstream(consuming).consumers.get(stream, 'c');
  const latencies = [];
  let running = true;
  const pulling = async (delayMs) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    while (running) {
      const messages = await consumer.fetch({
        max_messages: 1000,
        expires: 1000,
        callback: (m) => {
          latencies.push(Date.now() - Number(m.string()));
          m.ack();
        },
      });
      await messages.closed(); // a pull that failed (missed heartbeats) is simply sent again
    }
  };
  const pulls = Array.from({ length: pullsOutstanding }, (_, i) => pulling((i * 1000) / pullsOutstanding));

  const js = jetstream(publishing);
  const started = Date.now();
  let sent = 0;
  while (Date.now() - started < SECONDS * 1000) {
    const due = Math.floor(((Date.now() - started) * RATE) / 1000);
    for (; sent < due; sent++) void js.publish(`${stream}.e.${sent % 10}`, String(Date.now())).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await new Promise((resolve) => setTimeout(resolve, 2500));
  running = false;
  await Promise.all(pulls);
  await jsm.streams.delete(stream);
  await Promise.all([consuming.close(), publishing.close()]);

  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return { sent, received: latencies.length, p50: q(0.5), p99: q(0.99), max: q(1), over200: latencies.filter((l) => l > 200).length };
}

(async () => {
  console.log(`publish → receive at ${RATE}/s for ${SECONDS} s each (ms)`);
  for (const pulls of (process.env.PULLS ?? "1,2").split(",").map(Number)) {
    const r = await measure(pulls);
    console.log(
      `${pulls} pull${pulls > 1 ? 's' : ''} outstanding: received ${r.received} of ${r.sent}; p50 ${r.p50}, p99 ${r.p99}, max ${r.max}; over 200 ms: ${r.over200}`,
    );
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
