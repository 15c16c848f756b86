#!/usr/bin/env node
'use strict';
// Connectors benchmark: imports >= 100,000 upstream records from the NowRepBlue
// simulator through the compiled connectors app (real PostgreSQL and NATS), then
// a second import with changes, and prints records/s per run and per entity.
// Measures only; never fails on speed. Run after `npm run build`:
//   node test/bench/connectors-import.js [--records 100000]
// Uses DATABASE_URL / NATS_URL (defaults: local trust PostgreSQL, nats://127.0.0.1:4222).
const { spawn } = require('node:child_process');
const { join } = require('node:path');
const { Client } = require('pg');
const ROOT = join(__dirname, '..', '..');
const { startSimulator } = require(join(ROOT, 'test/simulators/dist/nowrepblue/simulator.js'));
const { signToken } = require(join(ROOT, 'libs/auth/dist/index.js'));
const { connectBroker } = require(join(ROOT, 'libs/messaging/dist/index.js'));
const { deleteNamespaceStreams, freePort, uniqueSuffix } = require(join(ROOT, 'libs/testing/dist/index.js'));

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.NATS_URL || 'nats://127.0.0.1:4222';
const JWT_SECRET = 'bench-jwt-secret-0123456789';
const argRecords = process.argv.indexOf('--records');
const TARGET = argRecords > 0 ? Number(process.argv[argRecords + 1]) : 100_000;

async function main() {
  // About 19 records per talent: size the dataset to reach the target.
  let talents = Math.ceil(TARGET / 18.8);
  let sim = await startSimulator({ talents, seed: 1, apiKey: 'bench-key' });
  while (sim.recordCount() < TARGET) {
    await sim.stop();
    talents = Math.ceil(talents * 1.02);
    sim = await startSimulator({ talents, seed: 1, apiKey: 'bench-key' });
  }
  const dbName = `ripple_bench_${uniqueSuffix()}`;
  const admin = new Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const dbUrl = new URL(DATABASE_URL);
  dbUrl.pathname = `/${dbName}`;
  const namespace = `bench${uniqueSuffix()}`;
  const port = await freePort();
  const logs = [];
  const child = spawn(process.execPath, [join(ROOT, 'apps/connectors/dist/main.js')], {
    env: {
      PATH: process.env.PATH, DATABASE_URL: dbUrl.toString(), NATS_URL, RIPPLE_NAMESPACE: namespace, JWT_SECRET, LOG_LEVEL: 'warn', PORT: String(port),
      NOWREPBLUE_BASE_URL: sim.url, NOWREPBLUE_API_KEY: 'bench-key', NOWREPBLUE_PAGE_SIZE: '2000', NOWREPBLUE_RATE_LIMIT_PER_S: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c) => logs.push(String(c)));
  child.stderr.on('data', (c) => logs.push(String(c)));
  const base = `http://127.0.0.1:${port}`;
  const token = signToken({ sub: '0190f5d2-0000-7000-8000-00000000b0b0', role: 'admin', username: 'bench' }, JWT_SECRET, 3600);
  const call = async (method, path) => {
    const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json() };
  };
  try {
    await until(async () => (await fetch(`${base}/health`).catch(() => ({ ok: false }))).ok, 60_000, () => logs.join(''));
    console.log(`upstream: ${sim.recordCount()} records (${talents} talents)`);
    await measure('full import', call, sim.recordCount());
    const change = sim.mutate({ added: 500, changed: 1000, removed: 300 });
    console.log(`\nmutated upstream: +${change.addedTalents.length} ~${change.changedTalents.length} -${change.removedTalents.length} talents`);
    await measure('import with changes', call, sim.recordCount());
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await sim.stop();
    const broker = await connectBroker(NATS_URL, 'bench-cleanup');
    await deleteNamespaceStreams(broker.jsm, namespace);
    await broker.nc.close();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

async function measure(label, call, upstreamRecords) {
  const t0 = Date.now();
  const started = await call('POST', '/api/connectors/nowrepblue/runs');
  if (started.status !== 202) throw new Error(`run not started: ${JSON.stringify(started.body)}`);
  const run = await until(async () => {
    const r = (await call('GET', `/api/connectors/runs/${started.body.data.id}`)).body.data;
    return r.status !== 'running' && r;
  }, 600_000);
  const seconds = (Date.now() - t0) / 1000;
  if (run.status !== 'succeeded') throw new Error(`${label} failed: ${JSON.stringify(run.error)}`);
  console.log(`\n${label}: ${upstreamRecords} records in ${seconds.toFixed(1)} s = ${Math.round(upstreamRecords / seconds)} records/s (end to end, switch and events included)`);
  console.log('entity              records   fetch+stage ms   transform ms');
  for (const e of Object.values(run.entities)) {
    console.log(`${e.entity.padEnd(18)} ${String(e.fetched).padStart(8)} ${String(e.fetchMs).padStart(16)} ${String(e.transformMs).padStart(14)}`);
  }
  const events = (await call('GET', '/api/catalog/talents?limit=1')).body.meta;
  console.log(`serving version ${events.version}, ${events.total} talents`);
}

async function until(probe, timeoutMs, detail = () => '') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out ${detail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
