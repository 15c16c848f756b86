import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connectBroker } from '@ripple/messaging';
import { createTestDatabase, deleteNamespaceStreams, eventually, freePort, testNamespace, testNatsUrl, type TestDatabase } from '@ripple/testing';

const ROOT = join(__dirname, '..', '..', '..');
const APPS = ['profiles', 'venues', 'gateway'] as const;
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
  startApp(app: AppName): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the compiled apps as real processes (as `npm start` does), against a
 * fresh database and stream namespace. `npm test` builds before running jest.
 */
export async function startRipple(extraEnv: Record<string, string> = {}): Promise<RunningRipple> {
  for (const app of APPS) {
    if (!existsSync(entry(app))) throw new Error(`${entry(app)} is missing: run \`npm run build\` first`);
  }
  const db = await createTestDatabase('ripple_e2e');
  const namespace = testNamespace();
  const natsUrl = await testNatsUrl();
  const ports = { profiles: await freePort(), venues: await freePort(), gateway: await freePort() };
  const logs: Record<AppName, string[]> = { profiles: [], venues: [], gateway: [] };
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
    ...extraEnv,
  });

  const startApp = async (app: AppName) => {
    const child = spawn(process.execPath, [entry(app)], { env: env(app), stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      logs[app].push(...chunk.toString().split('\n').filter(Boolean));
      if (logs[app].length > 500) logs[app].splice(0, logs[app].length - 500);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    children.set(app, child);
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}: ${logs[app].slice(-5).join('\n')}`);
        const res = await fetch(`http://127.0.0.1:${ports[app]}/health`);
        return res.ok;
      },
      { timeoutMs: 30_000, what: `${app} to be healthy` },
    ).catch((err) => {
      child.kill('SIGKILL');
      throw err;
    });
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
    startApp,
    stop: async () => {
      await Promise.all(APPS.map((a) => stopApp(a)));
      const broker = await connectBroker(natsUrl, 'e2e-cleanup');
      await deleteNamespaceStreams(broker.jsm as never, namespace);
      await broker.nc.close();
      await db.drop();
    },
  };
}

const entry = (app: AppName) => join(ROOT, 'apps', app, 'dist', 'main.js');
