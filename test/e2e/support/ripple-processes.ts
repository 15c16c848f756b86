import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connectBroker } from '@ripple/messaging';
import { createTestDatabase, deleteNamespaceStreams, eventually, freePort, testNamespace, testNatsUrl, type TestDatabase } from '@ripple/testing';

const ROOT = join(__dirname, '..', '..', '..');
const APPS = ['profiles', 'venues', 'pets', 'connectors', 'gateway'] as const;
type AppName = (typeof APPS)[number];

export interface RunningRipple {
  /** The gateway: the one origin clients use. */
  url: string;
  ports: Record<AppName, number>;
  db: TestDatabase;
  namespace: string;
  logs: Record<AppName, string[]>;
  /** Stops one app (SIGTERM, or SIGKILL to simulate a crash). */
  stopApp(app: AppName, signal?: NodeJS.Signals): Promise<void>;
  /** Sends a signal that does not end the app (SIGSTOP, SIGCONT). */
  signalApp(app: AppName, signal: NodeJS.Signals): void;
  startApp(app: AppName): Promise<void>;
  /** Starts one more gateway instance on its own port (same database and streams): for multi-instance tests. */
  startExtraGateway(extraEnv?: Record<string, string>): Promise<ExtraGateway>;
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
 * `postgresUrl` puts the database on another server (a private one a fault test may stop).
 */
export async function startRipple(extraEnv: Record<string, string> = {}, infra?: RippleInfrastructure): Promise<RunningRipple> {
  for (const app of APPS) {
    if (!existsSync(entry(app))) throw new Error(`${entry(app)} is missing: run \`npm run build\` first`);
  }
  const db = await createTestDatabase('ripple_e2e', infra?.databaseUrl);
  const namespace = testNamespace();
  const natsUrl = infra?.natsUrl ?? (await testNatsUrl());
  const ports = { profiles: await freePort(), venues: await freePort(), pets: await freePort(), connectors: await freePort(), gateway: await freePort() };
  const logs: Record<AppName, string[]> = { profiles: [], venues: [], pets: [], connectors: [], gateway: [] };
  const children = new Map<AppName, ChildProcess>();
  const env = (app: AppName): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    DATABASE_URL: db.url,
    NATS_URL: natsUrl,
    RIPPLE_NAMESPACE: namespace,
    JWT_SECRET: 'e2e-secret-at-least-16-chars',
    LOG_LEVEL: 'warn',
    PORT: String(ports[app]),
    PROFILES_URL: `http://127.0.0.1:${ports.profiles}`,
    VENUES_URL: `http://127.0.0.1:${ports.venues}`,
    PETS_URL: `http://127.0.0.1:${ports.pets}`,
    CONNECTORS_URL: `http://127.0.0.1:${ports.connectors}`,
    ...extraEnv,
  });

  const spawnHealthy = async (app: AppName, port: number, appEnv: NodeJS.ProcessEnv, appLogs: string[]) => {
    const child = spawn(process.execPath, [entry(app)], { env: appEnv, stdio: ['ignore', 'pipe', 'pipe'] });
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
  };
  const startApp = async (app: AppName) => {
    children.set(app, await spawnHealthy(app, ports[app], env(app), logs[app]));
  };
  const kill = async (child: ChildProcess | undefined, signal: NodeJS.Signals) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  const extraGateways: ChildProcess[] = [];
  const startExtraGateway = async (extra: Record<string, string> = {}): Promise<ExtraGateway> => {
    const port = await freePort();
    const gatewayLogs: string[] = [];
    const child = await spawnHealthy('gateway', port, { ...env('gateway'), PORT: String(port), ...extra }, gatewayLogs);
    extraGateways.push(child);
    return { url: `http://127.0.0.1:${port}`, logs: gatewayLogs, stop: (signal = 'SIGTERM') => kill(child, signal) };
  };
  const stopApp = async (app: AppName, signal: NodeJS.Signals = 'SIGTERM') => {
    const child = children.get(app);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };

  try {
    await startApp('profiles');
    await startApp('venues');
    await startApp('pets');
    await startApp('connectors');
    await startApp('gateway');
  } catch (err) {
    await Promise.all(APPS.map((a) => stopApp(a, 'SIGKILL')));
    await db.drop();
    throw err;
  }
  return {
    url: `http://127.0.0.1:${ports.gateway}`,
    ports,
    db,
    namespace,
    logs,
    stopApp,
    signalApp: (app, signal) => void children.get(app)?.kill(signal),
    startApp,
    startExtraGateway,
    stop: async () => {
      await Promise.all(extraGateways.map((c) => kill(c, 'SIGTERM')));
      await Promise.all(APPS.map((a) => stopApp(a)));
      const broker = await connectBroker(natsUrl, 'e2e-cleanup');
      await deleteNamespaceStreams(broker.jsm as never, namespace);
      await broker.nc.close();
      await db.drop();
    },
  };
}

const entry = (app: AppName) => join(ROOT, 'apps', app, 'dist', 'main.js');
