import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connectBroker } from '@ripple/messaging';
import { createTestDatabase, deleteNamespaceStreams, eventually, freePort, testNamespace, testNatsUrl, type TestDatabase } from '@ripple/testing';

const ROOT = join(__dirname, '..', '..', '..');
export const APPS = ['profiles', 'venues', 'pets', 'connectors', 'gateway'] as const;
export type AppName = (typeof APPS)[number];

/** One instance of every app, its gateway in front of its own services. */
export interface RippleInstance {
  /** The gateway: the one origin clients use. */
  url: string;
  ports: Record<AppName, number>;
  logs: Record<AppName, string[]>;
  /** Stops one app (SIGTERM, or SIGKILL to simulate a crash). */
  stopApp(app: AppName, signal?: NodeJS.Signals): Promise<void>;
  /** Sends a signal that does not end the app (SIGSTOP, SIGCONT). */
  signalApp(app: AppName, signal: NodeJS.Signals): void;
  startApp(app: AppName): Promise<void>;
}

export interface RunningRipple extends RippleInstance {
  db: TestDatabase;
  namespace: string;
  /** Starts one more gateway instance on its own port (same database and streams): for multi-instance tests. */
  startExtraGateway(extraEnv?: Record<string, string>): Promise<ExtraGateway>;
  /**
   * Starts every app once more on ports of its own, against the same database and
   * streams (`natsUrl`: e.g. another node of a cluster): a second instance of each
   * service, behind a gateway of its own. Stopped with the rest.
   */
  startInstance(opts?: { natsUrl?: string; env?: Record<string, string> }): Promise<RippleInstance>;
  stop(): Promise<void>;
}

export interface ExtraGateway {
  url: string;
  logs: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** PostgreSQL and NATS to run against, instead of the test run's (the fault suite brings its own). */
export interface RippleInfrastructure {
  /** A server URL: the apps get a fresh database on it (default: the test server). */
  databaseUrl?: string;
  /** Default: the test NATS server. */
  natsUrl?: string;
}

/**
 * Starts the compiled apps as real processes (as `npm start` does), against a
 * fresh database and stream namespace. `npm test` builds before running jest.
 * `infra` puts the database on another server (a private one a fault test may stop), or NATS.
 */
export async function startRipple(extraEnv: Record<string, string> = {}, infra?: RippleInfrastructure): Promise<RunningRipple> {
  for (const app of APPS) {
    if (!existsSync(entry(app))) throw new Error(`${entry(app)} is missing: run \`npm run build\` first`);
  }
  const db = await createTestDatabase('ripple_e2e', infra?.databaseUrl);
  const namespace = testNamespace();
  const natsUrl = infra?.natsUrl ?? (await testNatsUrl());
  const shared = { DATABASE_URL: db.url, RIPPLE_NAMESPACE: namespace, ...extraEnv };
  const instances: Launched[] = [];
  const launch = async (nats: string, env: Record<string, string>) => {
    const instance = await launchInstance({ ...shared, NATS_URL: nats, ...env });
    instances.push(instance);
    return instance;
  };
  const extraGateways: ChildProcess[] = [];
  let first: Launched;
  try {
    first = await launch(natsUrl, {});
  } catch (err) {
    await db.drop();
    throw err;
  }
  const startExtraGateway = async (extra: Record<string, string> = {}): Promise<ExtraGateway> => {
    const port = await freePort();
    const gatewayLogs: string[] = [];
    const child = await spawnHealthy('gateway', port, { ...first.env('gateway'), PORT: String(port), ...extra }, gatewayLogs);
    extraGateways.push(child);
    return { url: `http://127.0.0.1:${port}`, logs: gatewayLogs, stop: (signal = 'SIGTERM') => kill(child, signal) };
  };
  const { env: _env, ...instance } = first;
  return {
    ...instance,
    db,
    namespace,
    startExtraGateway,
    startInstance: (opts = {}) => launch(opts.natsUrl ?? natsUrl, opts.env ?? {}),
    stop: async () => {
      await Promise.all(extraGateways.map((c) => kill(c, 'SIGTERM')));
      await Promise.all(instances.flatMap((i) => APPS.map((a) => i.stopApp(a))));
      const broker = await connectBroker(natsUrl, 'e2e-cleanup');
      await deleteNamespaceStreams(broker.jsm as never, namespace);
      await broker.nc.close();
      await db.drop();
    },
  };
}

interface Launched extends RippleInstance {
  env(app: AppName): NodeJS.ProcessEnv;
}

/** Every app on free ports, the services first, then the gateway in front of them; all stopped if one fails to start. */
async function launchInstance(common: Record<string, string>): Promise<Launched> {
  const ports = { profiles: await freePort(), venues: await freePort(), pets: await freePort(), connectors: await freePort(), gateway: await freePort() };
  const logs: Record<AppName, string[]> = { profiles: [], venues: [], pets: [], connectors: [], gateway: [] };
  const children = new Map<AppName, ChildProcess>();
  const env = (app: AppName): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    JWT_SECRET: 'e2e-secret-at-least-16-chars',
    LOG_LEVEL: 'warn',
    PORT: String(ports[app]),
    PROFILES_URL: `http://127.0.0.1:${ports.profiles}`,
    VENUES_URL: `http://127.0.0.1:${ports.venues}`,
    PETS_URL: `http://127.0.0.1:${ports.pets}`,
    CONNECTORS_URL: `http://127.0.0.1:${ports.connectors}`,
    ...common,
  });
  const startApp = async (app: AppName) => {
    children.set(app, await spawnHealthy(app, ports[app], env(app), logs[app]));
  };
  const stopApp = (app: AppName, signal: NodeJS.Signals = 'SIGTERM') => kill(children.get(app), signal);
  try {
    for (const app of APPS) await startApp(app);
  } catch (err) {
    await Promise.all(APPS.map((a) => stopApp(a, 'SIGKILL')));
    throw err;
  }
  return {
    url: `http://127.0.0.1:${ports.gateway}`,
    ports,
    logs,
    env,
    stopApp,
    signalApp: (app, signal) => void children.get(app)?.kill(signal),
    startApp,
  };
}

async function spawnHealthy(app: AppName, port: number, appEnv: NodeJS.ProcessEnv, appLogs: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...APP_NODE_FLAGS, entry(app)], { env: appEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    appLogs.push(...chunk.toString().split('\n').filter(Boolean));
    if (appLogs.length > 500) appLogs.splice(0, appLogs.length - 500);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}: ${appLogs.slice(-5).join('\n')}`);
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      return res.ok;
    },
    { timeoutMs: 30_000, what: `${app} to be healthy` },
  ).catch((err) => {
    child.kill('SIGKILL');
    throw err;
  });
  return child;
}

async function kill(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

const entry = (app: AppName) => join(ROOT, 'apps', app, 'dist', 'main.js');
/** The flags `npm start` gives every app (scripts/node-flags.js). */
export const { APP_NODE_FLAGS } = require(join(ROOT, 'scripts', 'node-flags.js')) as { APP_NODE_FLAGS: readonly string[] };
