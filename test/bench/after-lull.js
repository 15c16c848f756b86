#!/usr/bin/env node
/**
 * What a lull costs the first updates after it. Each app's pool closes a PostgreSQL
 * connection that sat idle for DATABASE_POOL_IDLE_MS, and the burst after a lull opens
 * them again; a new connection makes the request that opened it wait for the connect
 * and for each statement's first parse, plan and run on the fresh backend.
 *
 * For each setting, pg's own default of 10 s against Ripple's default, alternated
 * ROUNDS times, each on a fresh stack (fresh database and stream namespace): OWNERS
 * venue owners with an SSE client each; 16 concurrent PUTs for 3 s, so the pools grow
 * as under load; LULL seconds of nothing; then RATE updates/s for SECONDS, open loop,
 * each timed from its scheduled send to its 2xx and to the owner's SSE client (the
 * VenueSynced carrying its marker). Prints, per run, the connections the apps' pools
 * opened after the lull and the latencies, the first second apart.
 *
 * Run after `npm run build`: ROUNDS=2 LULL=15 RATE=100 SECONDS=8 node test/bench/after-lull.js
 */
require('./compile');
require('./dist/support/env');
const { Client } = require('pg');
const { eventually } = require('@ripple/testing');
const { startBenchRipple } = require('./dist/support/ripple');
const { signUpOwners, httpJson, openEventSource } = require('./dist/support/http');
const { openLoop, closedLoop } = require('./dist/support/load');
const { now, sleep, summarize } = require('./dist/support/stats');

const ROUNDS = Number(process.env.ROUNDS ?? 2);
const LULL = Number(process.env.LULL ?? 15);
const RATE = Number(process.env.RATE ?? 100);
const SECONDS = Number(process.env.SECONDS ?? 8);
const OWNERS = Number(process.env.OWNERS ?? 50);
const SETTINGS = [
  { name: 'pg default, 10 s', idleMs: 10_000 },
  { name: 'Ripple default', idleMs: 600_000 },
];
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

async function run(setting) {
  const ripple = await startBenchRipple(NATS_URL, { DATABASE_POOL_IDLE_MS: String(setting.idleMs) });
  const db = new Client({ connectionString: ripple.db.url });
  await db.connect();
  const closers = [];
  try {
    const owners = await signUpOwners(ripple.url, db, OWNERS);
    const samples = new Map();
    for (const o of owners) {
      const es = await openEventSource(`${ripple.url}/api/sync/events`, o.token, (msg, at) => {
        const marker = msg.type === 'data_change' && msg.eventType === 'VenueSynced' ? msg.data?.changes?.description : undefined;
        const s = samples.get(marker);
        if (s && s.sse === undefined) s.sse = at;
      });
      closers.push(es.close);
    }
    const put = (o, description) => httpJson('PUT', `${ripple.url}/api/users/profile`, { profileInfo: { venueDescription: description } }, { authorization: `Bearer ${owners[o % OWNERS].token}` });
    await closedLoop(16, 3, async (worker, i) => (await put(worker * 7 + i, `burst-${worker}-${i}`)).status === 200);
    await sleep(LULL * 1000);
    const { rows: [{ t: lullEnd }] } = await db.query('SELECT now() AS t');
    const load = await openLoop(RATE, SECONDS, async (i, scheduled) => {
      const marker = `after-${i}`;
      const s = { scheduled };
      samples.set(marker, s);
      const res = await put(i, marker);
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      s.accepted = now();
    });
    await eventually(async () => [...samples.values()].every((s) => s.sse !== undefined), { timeoutMs: 10_000, what: 'every change at its SSE client' }).catch(() => undefined);
    const { rows } = await db.query(
      "SELECT application_name AS app, count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_start > $1 AND application_name LIKE 'ripple-%' GROUP BY 1 ORDER BY 1",
      [lullEnd],
    );
    const all = [...samples.values()];
    const t0 = Math.min(...all.map((s) => s.scheduled));
    const part = (first) => all.filter((s) => (s.scheduled - t0 < 1000) === first);
    const ms = (list, stage) => summarize(list.filter((s) => s[stage] !== undefined).map((s) => s[stage] - s.scheduled));
    return {
      opened: rows.map((r) => `${r.app.replace('ripple-', '')} ${r.n}`).join(', ') || 'none',
      errors: load.errors,
      lost: all.filter((s) => s.sse === undefined).length - load.errors,
      first: { accepted: ms(part(true), 'accepted'), sse: ms(part(true), 'sse') },
      rest: { accepted: ms(part(false), 'accepted'), sse: ms(part(false), 'sse') },
      all: { accepted: ms(all, 'accepted'), sse: ms(all, 'sse') },
    };
  } finally {
    for (const close of closers) close();
    await db.end();
    await ripple.stop();
  }
}

(async () => {
  const f = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const s = (x) => `${f(x.p50)} / ${f(x.p99)} / ${f(x.max)}`;
  console.log(`after a lull of ${LULL} s: ${RATE} updates/s for ${SECONDS} s, ${OWNERS} owners; ms p50 / p99 / max from the scheduled send`);
  console.log('| pool idle timeout | run | connections opened after the lull | first second: to 2xx | first second: to SSE | the rest: to 2xx | the rest: to SSE | whole step: to SSE | errors, lost |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (let round = 1; round <= ROUNDS; round++) {
    for (const setting of SETTINGS) {
      const r = await run(setting);
      console.log(`| ${setting.name} (${setting.idleMs} ms) | ${round} | ${r.opened} | ${s(r.first.accepted)} | ${s(r.first.sse)} | ${s(r.rest.accepted)} | ${s(r.rest.sse)} | ${s(r.all.sse)} | ${r.errors}, ${r.lost} |`);
    }
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
