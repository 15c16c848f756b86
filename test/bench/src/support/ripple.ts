import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { connectBroker } from '@ripple/messaging';
import { createTestDatabase, deleteNamespaceStreams, eventually, freePort, testNamespace, type TestDatabase } from '@ripple/testing';
import { ROOT } from './env';

/** The flags `npm start` gives every app (scripts/node-flags.js): the bench measures what it starts. */
export const { APP_NODE_FLAGS } = require(join(ROOT, 'scripts', 'node-flags.js')) as { APP_NODE_FLAGS: readonly string[] };
/** How `npm start` reads `--one-process` and `--hosts`, and which processes it runs for them (scripts/hosting.js). */
const { hostGroups, hostedProcesses } = require(join(ROOT, 'scripts', 'hosting.js')) as {
  hostGroups: (argv: string[], env: NodeJS.ProcessEnv, services: readonly string[]) => AppName[][] | undefined;
  hostedProcesses: <A extends { name: string }>(apps: A[], groups: AppName[][] | undefined, services: readonly string[], isBuilt: (app: A) => boolean) => (A | { services: AppName[] })[];
};

export const APPS = ['profiles', 'venues', 'pets', 'connectors', 'gateway'] as const;
export type AppName = (typeof APPS)[number];

export interface BenchRipple {
  url: string;
  ports: Record<AppName, number>;
  pids: Record<AppName, number>;
  db: TestDatabase;
  namespace: string;
  logs: Record<AppName, string[]>;
  /** Apps that exited while the bench ran, with their last log lines. */
  crashes: string[];
  stop(): Promise<void>;
}

/**
 * Starts the compiled apps as processes, as `npm start` and test/e2e do, against a
 * fresh database and stream namespace, and keeps their pids for the resource
 * sampler. Each app's open-file limit is raised to the hard limit (SSE fan-out).
 */
export async function startBenchRipple(natsUrl: string, extraEnv: Record<string, string> = {}, nodeArgs: string[] = []): Promise<BenchRipple> {
  const entry = (app: AppName) => join(ROOT, 'apps', app, 'dist', 'main.js');
  for (const app of APPS) if (!existsSync(entry(app))) throw new Error(`${entry(app)} is missing: run \`npm run build\` first`);
  const db = await createTestDatabase('ripple_bench');
  const namespace = testNamespace();
  const ports = { profiles: await freePort(), venues: await freePort(), pets: await freePort(), connectors: await freePort(), gateway: await freePort() };
  const logs: Record<AppName, string[]> = { profiles: [], venues: [], pets: [], connectors: [], gateway: [] };
  const children = new Map<AppName, ChildProcess>();
  const crashes: string[] = [];
  let stopping = false;
  const env = (app: AppName): NodeJS.ProcessEnv => ({ ...benchEnv(db.url, natsUrl, namespace, ports), PORT: String(ports[app]), ...extraEnv });
  const start = async (app: AppName) => {
    const child = spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, ...APP_NODE_FLAGS, ...nodeArgs.map((a) => a.replace('{app}', app)), entry(app)], {
      env: env(app),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      logs[app].push(...chunk.toString().split('\n').filter(Boolean));
      if (logs[app].length > 300) logs[app].splice(0, logs[app].length - 300);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    children.set(app, child);
    child.once('exit', (code, signal) => {
      if (!stopping) crashes.push(`${app} exited (${signal ?? code}) during the bench; last log lines:\n${logs[app].slice(-15).join('\n')}`);
    });
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}: ${logs[app].slice(-5).join('\n')}`);
        return (await fetch(`http://127.0.0.1:${ports[app]}/health`)).ok;
      },
      { timeoutMs: 60_000, what: `${app} to be healthy` },
    );
  };
  const stopAll = async () => {
    stopping = true;
    await Promise.all(
      [...children.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGCONT'); // paused by othersPaused, it would not see the SIGTERM
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
      }),
    );
  };
  try {
    for (const app of APPS) await start(app);
  } catch (err) {
    await stopAll();
    await db.drop();
    throw err;
  }
  return {
    url: `http://127.0.0.1:${ports.gateway}`,
    ports,
    pids: Object.fromEntries(APPS.map((a) => [a, children.get(a)!.pid!])) as Record<AppName, number>,
    db,
    namespace,
    logs,
    crashes,
    stop: async () => {
      await stopAll();
      await dropNamespace(natsUrl, namespace);
      await db.drop();
    },
  };
}

/** What every app of a bench Ripple gets (its PORT aside). */
function benchEnv(databaseUrl: string, natsUrl: string, namespace: string, ports: Record<AppName, number>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    DATABASE_URL: databaseUrl,
    NATS_URL: natsUrl,
    RIPPLE_NAMESPACE: namespace,
    JWT_SECRET: 'bench-secret-at-least-16-chars',
    LOG_LEVEL: 'warn',
    PROFILES_URL: `http://127.0.0.1:${ports.profiles}`,
    VENUES_URL: `http://127.0.0.1:${ports.venues}`,
    PETS_URL: `http://127.0.0.1:${ports.pets}`,
    CONNECTORS_URL: `http://127.0.0.1:${ports.connectors}`,
    // Fan-out opens thousands of connections for one user on purpose.
    SYNC_MAX_CONNECTIONS_PER_USER: '1000000',
  };
}

/** A way to host the services, as `npm start` is told it (`--one-process`, `--hosts …`). */
export interface Hosting {
  name: string;
  flag: string;
}

export const ONE_PROCESS: Hosting = { name: 'one process', flag: '--one-process' };
export const GATEWAY_APART: Hosting = { name: 'two processes', flag: '--hosts profiles+venues+pets+connectors,gateway' };

/** The services of each process `npm start` would run for `hosting`, in its start order (the gateway's last). */
function processGroups(hosting: Hosting): AppName[][] {
  const apps = APPS.map((name) => ({ name, main: '', env: {} }));
  return hostedProcesses(apps, hostGroups(hosting.flag.split(' '), {}, APPS), APPS, () => true).map((p) => ('services' in p ? p.services : [p.name]));
}

export interface HostedRipple {
  url: string;
  /** Each host's process, named by its services. */
  hosts: { name: string; pid: number }[];
  db: TestDatabase;
  namespace: string;
  logs: string[];
  stop(): Promise<void>;
}

/**
 * The same five apps hosted in the processes `hosting` groups them into (each a
 * scripts/one-process.js, as `npm start -- --one-process` or `--hosts` runs
 * them), on a fresh database and namespace.
 */
export async function startHostedRipple(natsUrl: string, hosting: Hosting): Promise<HostedRipple> {
  const db = await createTestDatabase('ripple_bench');
  const namespace = testNamespace();
  const ports = { profiles: await freePort(), venues: await freePort(), pets: await freePort(), connectors: await freePort(), gateway: await freePort() };
  const logs: string[] = [];
  const keep = (chunk: Buffer) => {
    logs.push(...chunk.toString().split('\n').filter(Boolean));
    if (logs.length > 300) logs.splice(0, logs.length - 300);
  };
  const children = processGroups(hosting).map((group) => {
    const services = group.map((app) => ({ name: app, env: { PORT: String(ports[app]) } }));
    const child = spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, ...APP_NODE_FLAGS, join(ROOT, 'scripts', 'one-process.js')], {
      env: { ...benchEnv(db.url, natsUrl, namespace, ports), RIPPLE_SERVICES: JSON.stringify(services) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    return { name: group.join('+'), child, exited: new Promise((resolve) => child.once('exit', resolve)) };
  });
  const stop = async () => {
    // The gateway's host first, as npm start stops them.
    for (const { child, exited } of [...children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
    await dropNamespace(natsUrl, namespace);
    await db.drop();
  };
  try {
    await eventually(
      async () => {
        const gone = children.find(({ child }) => child.exitCode !== null);
        if (gone) throw new Error(`the host of ${gone.name} exited with ${gone.child.exitCode}: ${logs.slice(-5).join('\n')}`);
        // The gateway's health includes its upstreams'.
        return (await fetch(`http://127.0.0.1:${ports.gateway}/health`)).ok;
      },
      { timeoutMs: 90_000, what: `Ripple in ${hosting.name} to be healthy` },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${ports.gateway}`, hosts: children.map(({ name, child }) => ({ name, pid: child.pid! })), db, namespace, logs, stop };
}

export async function dropNamespace(natsUrl: string, namespace: string): Promise<void> {
  const broker = await connectBroker(natsUrl, 'bench-cleanup');
  await deleteNamespaceStreams(broker.jsm as never, namespace);
  await broker.nc.close();
}

/**
 * Brackets a run in which only `keep` of `ripple`'s apps works: the others are
 * paused (SIGSTOP) before it and resumed after, and `after` returns once every
 * outbox is sent and every consumer of the run's streams has caught up (nothing
 * pending, nothing unacknowledged), so what the paused apps owe is not left to
 * the next run.
 * Paused, they still hold their connections, leases and SSE clients.
 */
export function othersPaused(ripple: BenchRipple, keep: AppName, natsUrl: string): { before(): Promise<void>; after(): Promise<void> } {
  const others = APPS.filter((a) => a !== keep).map((a) => ripple.pids[a]);
  return {
    before: async () => {
      for (const pid of others) process.kill(pid, 'SIGSTOP');
    },
    after: async () => {
      for (const pid of others) process.kill(pid, 'SIGCONT');
      const broker = await connectBroker(natsUrl, 'bench-drain');
      const db = new Client({ connectionString: ripple.db.url });
      await db.connect();
      try {
        const outboxes = (await db.query(`SELECT table_schema AS s FROM information_schema.tables WHERE table_name = 'outbox'`)).rows.map((r) => `"${r.s}".outbox`);
        await eventually(async () => {
          // Every consumer caught up, and then every outbox sent: with nothing left to consume, nothing new
          // enters an outbox, and an event still in one (not in its stream yet) is caught by the second check.
          for await (const stream of broker.jsm.streams.list()) {
            if (!stream.config.name.startsWith(`${ripple.namespace}_`)) continue;
            for await (const c of broker.jsm.consumers.list(stream.config.name)) if (c.num_pending > 0 || c.num_ack_pending > 0) return false;
          }
          for (const table of outboxes) if ((await db.query(`SELECT 1 FROM ${table} LIMIT 1`)).rows.length) return false;
          return true;
        }, { timeoutMs: 120_000, intervalMs: 250, what: 'the paused apps to catch up' });
      } finally {
        await broker.nc.close();
        await db.end();
      }
    },
  };
}
