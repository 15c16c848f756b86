import './support/env';
import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { connectBroker } from '@ripple/messaging';
import { createTestDatabase, eventually, freePort, type TestDatabase } from '@ripple/testing';
import { createAltSchemas } from './alternatives/alt-schema';
import { startRawTopology } from './alternatives/raw-topology-start';
import { signJwt } from './alternatives/jwt';
import { RAW_TOPOLOGY_EDGE_TARGET, RAW_TOPOLOGY_TARGET, runCommand, type CommandResult } from './scenarios/command';
import { runFanout, type FanoutResult } from './scenarios/fanout';
import { runHops, type HopsResult } from './scenarios/hops';
import { profileUnderLoad, type LoadProfile } from './scenarios/cpu-under-load';
import { batchPathsSince, readBatchPaths, type BatchPaths } from './support/batch-paths';
import { runProjectionAndReplay, type ProjectionResult, type ReplayResult } from './scenarios/projection';
import { highestRateUnder, recordVenueRows, runRates, Tracker, type RateResult } from './scenarios/propagation';
import { FULL, NATS_URL, QUICK } from './support/env';
import { httpJson, openEventSource, probeSse, signUpOwner, signUpOwners, type Owner } from './support/http';
import { LOAD_GENERATOR, pidsByComm, ResourceSampler, type ProcessGroup, type ResourceUse } from './support/resources';
import { wakeUpCostMicros } from './support/wake-up';
import { GATEWAY_APART, ONE_PROCESS, othersPaused, startBenchRipple, startHostedRipple, type BenchRipple } from './support/ripple';
import { writeResults } from './report';

/**
 * `npm run bench` (quick) / `npm run bench -- --full`: every scenario of issue 7,
 * one run, each figure beside a baseline measured in the same run. Prints the
 * table and writes test/bench/results/latest.{json,md}. Never fails on speed:
 * the exit code is 1 only when a scenario could not run.
 */
export interface BenchResults {
  profile: string;
  date: string;
  machine: string;
  durationSeconds?: number;
  sse: { available: boolean; detail: string; venueChange?: boolean; venueChangeDetail?: string };
  hops?: HopsResult;
  cpu?: LoadProfile;
  propagation?: { ripple: RateResult[]; highestRateP99Under100: number | null; stage: 'sse' | 'row'; batchPaths?: BatchPaths };
  alternatives?: { sync: RateResult[]; trigger: RateResult[]; syncHighest: number | null; triggerHighest: number | null };
  command?: CommandResult[];
  /** Scenario 2: how long the raw topology took, after each of its runs, to finish the propagation the run left (ms). */
  rawTopologyCatchUpMs?: number[];
  projection?: ProjectionResult;
  replay?: ReplayResult;
  fanout?: FanoutResult | { notAvailable: string };
  resources: Record<string, ResourceUse[]>;
  /** CPU an idle process pays to be woken (an empty timer), µs: the price of a hop on this machine. */
  wakeUpCostMicros?: number;
  /** Scenario 1h: the same propagation load on the five services hosted in fewer processes (all in one; the gateway apart from the other four). */
  hosting?: HostingResult[];
  /** Warnings and errors the apps logged during scenario 1 (last 20 per app). */
  appWarnings?: string[];
  errors: Record<string, string>;
}

export interface HostingResult {
  name: string;
  flag: string;
  rates: RateResult[];
  highestRateP99Under100: number | null;
  resources: ResourceUse[];
}

const log = (line: string) => console.log(line);
/** The processes of the system under test, without the bench's own. */
const systemOnly = (groups: ProcessGroup[]) => groups.filter((g) => g.name !== LOAD_GENERATOR);

/** Scenario 1's SSE observers on a Ripple: each owner's SSE client marks the changes carrying a marker. Returns their closers. */
async function observe(url: string, owners: Owner[], tracker: Tracker): Promise<(() => void)[]> {
  const closers: (() => void)[] = [];
  for (const o of owners) {
    const es = await openEventSource(`${url}/api/sync/events`, o.token, (msg, at) => {
      if (msg.type !== 'data_change') return;
      if (msg.eventType === 'VenueSynced' && typeof msg.data?.changes?.description === 'string') tracker.mark(msg.data.changes.description, 'sse', at);
      if (msg.eventType === 'UserProfileUpdated' && typeof msg.data?.changes?.venueDescription === 'string') tracker.mark(msg.data.changes.venueDescription, 'ssep', at);
    });
    closers.push(es.close);
  }
  return closers;
}

async function main() {
  const profile = process.argv.includes('--full') ? FULL : QUICK;
  const started = Date.now();
  const results: BenchResults = {
    profile: profile.name,
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, nats-server ?, PostgreSQL ?`,
    sse: { available: false, detail: 'not checked' },
    resources: {},
    errors: {},
  };
  log(`Ripple bench, ${profile.name} profile`);
  // `--only fan-out,command`: run just the scenarios whose name holds one of these (setup still runs).
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]?.split(',') : undefined;
  const attempt = async (name: string, fn: () => Promise<void>) => {
    if (only && !only.some((o) => name.includes(o))) return;
    try {
      await fn();
    } catch (err) {
      results.errors[name] = (err as Error).stack ?? String(err);
      log(`  ${name} FAILED: ${(err as Error).message}`);
    }
  };

  let ripple: BenchRipple | undefined;
  let alt: ReturnType<typeof spawn> | undefined;
  let bareProxy: ReturnType<typeof spawn> | undefined;
  let altDb: TestDatabase | undefined;
  // Ctrl-C: stop the apps this run started (by their pids) and drop its database and streams.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`${sig}: cleaning up`);
      alt?.kill('SIGTERM');
      bareProxy?.kill('SIGTERM');
      void Promise.allSettled([ripple?.stop(), altDb?.drop()]).finally(() => process.exit(130));
    });
  }
  const closers: (() => void)[] = [];
  try {
    log('starting Ripple (profiles, venues, pets, connectors, gateway) on a fresh database and namespace');
    ripple = await startBenchRipple(NATS_URL);
    const rippleDb = ripple.db.url;
    const db = new Client({ connectionString: rippleDb });
    await db.connect();
    closers.push(() => void db.end());
    const [{ server_version: pgVersion }] = (await db.query('SHOW server_version')).rows;
    const probe = await connectBroker(NATS_URL, 'bench-version');
    const natsVersion = probe.serverVersion;
    await probe.nc.close();
    results.machine = results.machine.replace('nats-server ?', `nats-server ${natsVersion}`).replace('PostgreSQL ?', `PostgreSQL ${String(pgVersion).split(' ')[0]}`);

    results.wakeUpCostMicros = await wakeUpCostMicros();
    log(`an idle process woken by an empty timer costs ${results.wakeUpCostMicros.toFixed(0)} µs of CPU here`);
    log(`signing up ${profile.owners} venue owners`);
    const owners = await signUpOwners(ripple.url, db, profile.owners, 4);

    results.sse = await probeSse(`${ripple.url}/api/sync/events`, owners[0].token).then((p) => ({ available: p.ok, detail: p.detail }));
    log(`SSE endpoint: ${results.sse.detail}`);

    // ---- Scenario 0: where the time of one update goes ----
    await attempt('0 hops', async () => {
      if (!results.sse.available) throw new Error(`needs the SSE endpoint (${results.sse.detail})`);
      log('scenario 0: one update at a time, timed at every hop, beside its floor');
      const broker = await connectBroker(NATS_URL, 'bench-hops');
      try {
        results.hops = await runHops({ gatewayUrl: ripple!.url, databaseUrl: rippleDb, broker, namespace: ripple!.namespace, owner: owners[owners.length - 1], updates: profile.hopUpdates, log });
      } finally {
        await broker.nc.close();
      }
      for (const h of results.hops.hops) log(`  ${h.hop}: p50 ${h.ms.p50.toFixed(1)} p99 ${h.ms.p99.toFixed(1)} ms`);
    });

    // The alternatives (scenario 6) in their own process, same owners, on a database of their own: at each
    // NOTIFY PostgreSQL wakes every backend LISTENing in the database, whatever its channel, so the trigger's
    // NOTIFYs would wake the services' own listeners too (until the thirtieth session they did).
    altDb = await createTestDatabase('ripple_bench_alt');
    const altDbUrl = altDb.url;
    await createAltSchemas(altDbUrl, owners);
    const altPort = await freePort();
    const altSecret = 'bench-alt-secret-at-least-16';
    alt = spawn(process.execPath, [join(__dirname, 'alternatives', 'alt-server.js')], { env: { PATH: process.env.PATH, DATABASE_URL: altDbUrl, JWT_SECRET: altSecret, PORT: String(altPort) }, stdio: ['ignore', 'inherit', 'inherit'] });
    const altUrl = `http://127.0.0.1:${altPort}`;
    await eventually(async () => (await fetch(`${altUrl}/health`)).ok, { timeoutMs: 15_000, what: 'the alternatives server' });
    const altTokens = owners.map((o) => signJwt(o.id, altSecret));

    const groups = (extra: { name: string; pid: number }[]) => [
      ...extra.map((e) => ({ name: e.name, pids: () => [e.pid] })),
      { name: 'nats-server', pids: () => pidsByComm('nats-server') },
      { name: 'postgres', pids: () => pidsByComm('postgres') },
      { name: LOAD_GENERATOR, pids: () => [process.pid] },
    ];
    const rippleGroups = groups(Object.entries(ripple.pids).map(([name, pid]) => ({ name, pid })));

    // ---- Scenario 1: Ripple propagation ----
    await attempt('1 propagation', async () => {
      const tracker = new Tracker();
      const rows = await recordVenueRows(rippleDb, tracker);
      try {
        if (results.sse.available) {
          closers.push(...(await observe(ripple!.url, owners, tracker)));
          // Does the venue change (VenueSynced) reach its owner's SSE client? One probe update, 10 s.
          const probe = `probe-${Date.now().toString(36)}`;
          tracker.samples.set(probe, { scheduled: performance.now() });
          await httpJson('PUT', `${ripple!.url}/api/users/profile`, { profileInfo: { venueDescription: probe } }, { authorization: `Bearer ${owners[0].token}` });
          await eventually(async () => tracker.samples.get(probe)!.sse !== undefined, { timeoutMs: 10_000 }).catch(() => undefined);
          await tracker.collectRows?.();
          const s = tracker.samples.get(probe)!;
          results.sse.venueChange = s.sse !== undefined;
          results.sse.venueChangeDetail = s.sse !== undefined
            ? 'the owner receives VenueSynced'
            : `the owner's SSE client got ${s.ssep !== undefined ? 'the UserProfileUpdated but ' : ''}no VenueSynced within 10 s after the venue row changed${s.row !== undefined ? '' : ' (nor did the row change)'}`;
          log(`venue change over SSE: ${results.sse.venueChangeDetail}`);
        }
        const venueSse = results.sse.venueChange === true;
        log(`scenario 1: propagation, open loop at ${profile.rates.join(', ')} updates/s, ${profile.rateSeconds} s each`);
        const put = async (o: number, marker: string) => (await httpJson('PUT', `${ripple!.url}/api/users/profile`, { profileInfo: { venueDescription: marker } }, { authorization: `Bearer ${owners[o].token}` })).status;
        const sampler = new ResourceSampler(rippleGroups);
        const pathsBefore = await readBatchPaths(ripple!.ports);
        sampler.start();
        const rates = await runRates({
          rates: profile.rates, seconds: profile.rateSeconds, ownerCount: owners.length, tag: 'ripple', tracker,
          stages: venueSse ? ['accepted', 'row', 'sse'] : ['accepted', 'row'],
          trackProfileSse: results.sse.available,
          processes: systemOnly(rippleGroups),
          databaseUrl: rippleDb,
          put,
          log,
        });
        results.resources['scenario 1: Ripple propagation'] = sampler.stop();
        // What the apps complained about while under load (a retry, a nak, a lost connection) explains a stall.
        results.appWarnings = Object.entries(ripple!.logs).flatMap(([app, lines]) =>
          lines.filter((l) => /"level":"(warn|error)"/.test(l) && !/development default/.test(l)).slice(-20).map((l) => `${app}: ${l.slice(0, 300)}`));
        if (results.appWarnings.length) log(`  the apps logged ${results.appWarnings.length} warnings during scenario 1 (in latest.json, appWarnings)`);
        const batchPaths = batchPathsSince(pathsBefore, await readBatchPaths(ripple!.ports));
        results.propagation = { ripple: rates, highestRateP99Under100: highestRateUnder(rates), stage: venueSse ? 'sse' : 'row', batchPaths };
      } finally {
        // Off before the scenarios that follow: nothing after scenario 1 reads the venue rows' times.
        await rows.stop().catch((err) => log(`  the venue-row recorder did not stop cleanly: ${(err as Error).message}`));
      }
    });

    // ---- Scenario 6: the alternatives, same load ----
    await attempt('6 alternatives', async () => {
      const altGroups = groups([{ name: 'alternative server', pid: alt!.pid! }]);
      log('scenario 6a: synchronous propagation in the request');
      const syncTracker = new Tracker();
      const syncPut = async (o: number, marker: string) => (await httpJson('PUT', `${altUrl}/a/profile`, { profileInfo: { venueDescription: marker } }, { authorization: `Bearer ${altTokens[o]}` })).status;
      let sampler = new ResourceSampler(altGroups);
      sampler.start();
      const sync = await runRates({
        rates: profile.rates, seconds: profile.rateSeconds, ownerCount: owners.length, tag: 'sync', tracker: syncTracker, stages: ['accepted'], rowIsAccepted: true, processes: systemOnly(altGroups), databaseUrl: altDbUrl,
        put: syncPut,
        log,
      });
      results.resources['scenario 6a: synchronous'] = sampler.stop();
      log('scenario 6b: trigger + LISTEN/NOTIFY + SSE');
      const trgTracker = new Tracker();
      for (const [i] of owners.entries()) {
        const es = await openEventSource(`${altUrl}/b/events`, altTokens[i], (msg, at) => {
          if (msg.type === 'data_change' && typeof msg.data?.description === 'string') trgTracker.mark(msg.data.description, 'sse', at);
        });
        closers.push(es.close);
      }
      const triggerPut = async (o: number, marker: string) => (await httpJson('PUT', `${altUrl}/b/profile`, { profileInfo: { venueDescription: marker } }, { authorization: `Bearer ${altTokens[o]}` })).status;
      sampler = new ResourceSampler(altGroups);
      sampler.start();
      const trigger = await runRates({
        rates: profile.rates, seconds: profile.rateSeconds, ownerCount: owners.length, tag: 'trigger', tracker: trgTracker, stages: ['accepted', 'sse'], rowIsAccepted: true, processes: systemOnly(altGroups), databaseUrl: altDbUrl,
        put: triggerPut,
        log,
      });
      results.resources['scenario 6b: trigger + NOTIFY'] = sampler.stop();
      results.alternatives = { sync, trigger, syncHighest: highestRateUnder(sync), triggerHighest: highestRateUnder(trigger) };
    });

    // ---- Scenario 1h: the five services in fewer processes, the same load ----
    for (const hosting of [ONE_PROCESS, GATEWAY_APART]) {
      await attempt(`1h ${hosting.name}`, async () => {
        const rates = profile.rates.filter((x) => x <= 200);
        log(`scenario 1h: the five services hosted in ${hosting.name} (npm start -- ${hosting.flag}), open loop at ${rates.join(', ')} updates/s`);
        const hosted = await startHostedRipple(NATS_URL, hosting);
        const cleanup: (() => void)[] = [];
        try {
          const db = new Client({ connectionString: hosted.db.url });
          await db.connect();
          cleanup.push(() => void db.end());
          const hostedOwners = await signUpOwners(hosted.url, db, profile.owners, 4);
          const tracker = new Tracker();
          const rows = await recordVenueRows(hosted.db.url, tracker);
          cleanup.push(() => void rows.stop().catch(() => undefined));
          cleanup.push(...(await observe(hosted.url, hostedOwners, tracker)));
          const hostGroups = groups(hosted.hosts.map((h) => ({ name: `ripple (${h.name})`, pid: h.pid })));
          const put = async (o: number, marker: string) => (await httpJson('PUT', `${hosted.url}/api/users/profile`, { profileInfo: { venueDescription: marker } }, { authorization: `Bearer ${hostedOwners[o].token}` })).status;
          const sampler = new ResourceSampler(hostGroups);
          sampler.start();
          const hostedRates = await runRates({
            rates, seconds: profile.rateSeconds, ownerCount: hostedOwners.length, tag: hosting.name.replace(/ /g, '-'), tracker, stages: ['accepted', 'row', 'sse'], trackProfileSse: true, processes: systemOnly(hostGroups), databaseUrl: hosted.db.url, put, log,
          });
          (results.hosting ??= []).push({ name: hosting.name, flag: hosting.flag, rates: hostedRates, highestRateP99Under100: highestRateUnder(hostedRates), resources: sampler.stop() });
        } finally {
          for (const c of cleanup) c();
          await hosted.stop();
        }
      });
    }

    // ---- Scenario 2: command path ----
    await attempt('2 command', async () => {
      log(`scenario 2: PUT /api/users/profile, closed loop at concurrency ${profile.concurrency.join(', ')}, ${profile.commandSeconds} s each`);
      const tokens = owners.map((o) => o.token);
      const proxyPort = await freePort();
      bareProxy = spawn(process.execPath, [join(__dirname, 'alternatives', 'bare-proxy.js')], { env: { PATH: process.env.PATH, TARGET: `http://127.0.0.1:${ripple!.ports.profiles}`, PORT: String(proxyPort) }, stdio: ['ignore', 'inherit', 'inherit'] });
      await eventually(async () => (await fetch(`http://127.0.0.1:${proxyPort}/health`)).ok, { timeoutMs: 15_000, what: 'the bare proxy' });
      // Direct's floor: the same services and writes, done raw (alternatives/raw-topology.ts), with an SSE client per owner as Ripple has.
      const raw = await startRawTopology({ databaseUrl: rippleDb, natsUrl: NATS_URL, owners: altTokens.map((token) => ({ token })), secret: altSecret, prefix: ripple!.namespace });
      // Whatever it still owes after a run is done before the next target starts; how long that took says whether it kept up.
      const rawCatchUp: number[] = [];
      const caughtUp = { before: async () => undefined, after: async () => {
        const t = performance.now();
        await raw.caughtUp();
        rawCatchUp.push(performance.now() - t);
      } };
      try {
        results.command = await runCommand({
          targets: [
            { name: 'gateway', url: `${ripple!.url}/api/users/profile`, tokens },
            { name: 'profiles (direct)', url: `http://127.0.0.1:${ripple!.ports.profiles}/api/users/profile`, tokens },
            // The command without the propagation it causes: direct, every other app paused (caught up after each run).
            { name: 'profiles alone (the other apps paused)', url: `http://127.0.0.1:${ripple!.ports.profiles}/api/users/profile`, tokens, around: othersPaused(ripple!, 'profiles', NATS_URL) },
            { name: 'bare Node proxy → profiles (floor of one hop)', url: `http://127.0.0.1:${proxyPort}/api/users/profile`, tokens },
            { name: 'alternative (a) sync handler', url: `${altUrl}/a/profile`, tokens: altTokens },
            { name: RAW_TOPOLOGY_TARGET, url: `${raw.url}/c/profile`, tokens: altTokens, around: caughtUp },
            { name: RAW_TOPOLOGY_EDGE_TARGET, url: `${raw.edgeUrl}/c/profile`, tokens: altTokens, around: caughtUp },
          ],
          concurrency: profile.concurrency,
          seconds: profile.commandSeconds,
          groups: groups([...Object.entries(ripple!.pids).map(([name, pid]) => ({ name, pid })), { name: 'alternative server', pid: alt!.pid! }, { name: 'bare proxy', pid: bareProxy.pid! }, ...raw.pids]),
          log,
        });
        results.rawTopologyCatchUpMs = rawCatchUp.map((ms) => Math.round(ms));
        log(`  the raw topology caught up ${rawCatchUp.map((ms) => `${Math.round(ms)}`).join(', ')} ms after its runs ended`);
      } finally {
        await raw.stop();
      }
    });

    // ---- Scenario 5: fan-out ----
    await attempt('5 fan-out', async () => {
      if (!results.sse.available) {
        results.fanout = { notAvailable: results.sse.detail };
        log(`scenario 5: fan-out not available (${results.sse.detail})`);
        return;
      }
      const FANOUT_OWNERS = 20;
      log(`scenario 5: fan-out to ${profile.fanout.join(', ')} SSE clients over ${FANOUT_OWNERS} owners (one with up to 1,000), then ${profile.fanout[0]} WebSocket clients beside them`);
      const fanOwners: Owner[] = [];
      await Promise.all(Array.from({ length: 4 }, async () => {
        while (fanOwners.length < FANOUT_OWNERS) fanOwners.push(await signUpOwner(ripple!.url, 'fan'));
      }));
      fanOwners.splice(FANOUT_OWNERS);
      await eventually(async () => (await db.query('SELECT count(*)::int AS n FROM venues.venues WHERE owner_id = ANY($1)', [fanOwners.map((o) => o.id)])).rows[0].n === FANOUT_OWNERS, { what: 'the fan-out owners\' venues' });
      const loadPids: number[] = [];
      const sampler = new ResourceSampler([...rippleGroups, { name: 'fan-out load generators', pids: () => loadPids }]);
      sampler.start();
      results.fanout = await runFanout({
        gatewayUrl: ripple!.url, gatewayPid: ripple!.pids.gateway, owners: fanOwners, heavy: 1_000, levels: profile.fanout, wsClients: profile.fanout[0], rounds: profile.fanoutRounds,
        eventType: results.sse.venueChange === false ? 'UserProfileUpdated' : 'VenueSynced', onLoadPids: (pids) => loadPids.push(...pids), log,
      });
      results.resources['scenario 5: fan-out'] = sampler.stop();
    });
  } catch (err) {
    results.errors.setup = (err as Error).stack ?? String(err);
    log(`setup FAILED: ${(err as Error).message}`);
    if (ripple) for (const [app, lines] of Object.entries(ripple.logs)) if (lines.length) log(`--- ${app} ---\n${lines.slice(-10).join('\n')}`);
  } finally {
    for (const c of closers.splice(0)) c();
    bareProxy?.kill('SIGKILL'); // holds no state
    if (alt && alt.exitCode === null) {
      const exited = new Promise((r) => alt!.once('exit', r));
      alt.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (alt.exitCode === null) alt.kill('SIGKILL');
    }
    await ripple?.stop().catch((err) => log(`cleanup: ${(err as Error).message}`));
    await altDb?.drop().catch((err) => log(`cleanup: ${(err as Error).message}`));
    for (const c of ripple?.crashes ?? []) {
      results.errors[c.split('\n')[0]] = c;
      log(c);
    }
  }

  // ---- Scenarios 3 and 4: projection and replay, in process ----
  await attempt('3+4 projection and replay', async () => {
    log(`scenarios 3 and 4: projection of ${profile.projectionEvents} events, replay of ${profile.replayEvents}`);
    const r = await runProjectionAndReplay({ natsUrl: NATS_URL, events: profile.projectionEvents, users: profile.projectionUsers, replayEvents: profile.replayEvents, log });
    results.projection = r.projection;
    results.replay = r.replay;
  });

  // ---- Where the CPU goes under load: a separate Ripple, profiled ----
  await attempt('8 cpu profile', async () => {
    log(`cpu profile: every app under ${profile.profileRate} updates/s for ${profile.rateSeconds} s`);
    results.cpu = await profileUnderLoad({ natsUrl: NATS_URL, rate: profile.profileRate, seconds: profile.rateSeconds, owners: 20, log });
  });

  results.durationSeconds = Math.round((Date.now() - started) / 1000);
  const table = writeResults(results);
  console.log(`\n${table}`);
  console.log(`written: test/bench/results/latest.json, test/bench/results/latest.md (${results.durationSeconds} s)`);
  process.exit(Object.keys(results.errors).length ? 1 : 0);
}

void main();
