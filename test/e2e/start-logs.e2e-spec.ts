/**
 * `npm start`'s output: readable lines with each app's name and colour
 * (LOG_FORMAT=pretty, the default in a terminal), JSON lines otherwise.
 * Runs scripts/start.js as `npm start` does after its build, on free ports.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { connectBroker } from '@ripple/messaging';
import { createTestDatabase, deleteNamespaceStreams, freePort, testNamespace, testNatsUrl } from '@ripple/testing';

const START = join(__dirname, '..', '..', 'scripts', 'start.js');
const ANSI = /\x1b\[[0-9;]*m/g;

/** Starts the whole stack, waits for "Ripple is up", stops it; returns what it printed on stdout. */
async function startAndStop(logFormat: string): Promise<string[]> {
  const db = await createTestDatabase('ripple_start');
  const namespace = testNamespace();
  const natsUrl = await testNatsUrl();
  const ports = ['PORT', 'PROFILES_PORT', 'VENUES_PORT', 'PETS_PORT', 'CONNECTORS_PORT', 'SIM_PORT', 'BROADSTREET_SIM_PORT'];
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, DATABASE_URL: db.url, NATS_URL: natsUrl, RIPPLE_NAMESPACE: namespace, JWT_SECRET: 'e2e-secret-at-least-16-chars', LOG_FORMAT: logFormat };
  for (const name of ports) env[name] = String(await freePort());
  const child = spawn(process.execPath, [START], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  // stderr is read too: a pipe nobody drains fills (64 KiB) and blocks the child's next write.
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ripple is up')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`start.js exited with ${code}:\n${out}\nstderr:\n${err}`)));
      // Fails with what start.js printed, rather than as the test's bare timeout.
      setTimeout(() => reject(new Error(`no "Ripple is up" within 60 s; start.js printed:\n${out}\nstderr:\n${err}`)), 60_000).unref();
    });
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    // A stop that hangs must not eat the test's time: after 15 s the stack is killed outright.
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
    const broker = await connectBroker(natsUrl, 'start-logs-cleanup');
    await deleteNamespaceStreams(broker.jsm as never, namespace);
    await broker.nc.close();
    await db.drop();
  }
  return out.split('\n').filter((l) => l && !l.startsWith('Ripple is up'));
}

it('LOG_FORMAT=pretty: every line readable, with its app\'s name and colour, none of them JSON', async () => {
  const lines = await startAndStop('pretty');
  expect(lines.filter((l) => !l.includes('\x1b['))).toEqual([]);
  const plain = lines.map((l) => l.replace(ANSI, ''));
  for (const l of plain) expect(() => JSON.parse(l.slice(l.indexOf('│') + 1))).toThrow();
  expect(plain).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} profiles +│ INFO  admin user created username=admin$/));
  expect(plain).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} gateway +│ INFO  gateway listening url=http:/));
  expect(plain).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} start +│ INFO  venues started pid=\d+ port=\d+$/));
}, 90_000);

it('LOG_FORMAT=json: every line a JSON object naming its app', async () => {
  const lines = await startAndStop('json');
  const entries = lines.map((l) => JSON.parse(l));
  expect(new Set(entries.map((e) => e.service))).toEqual(new Set(['start', 'profiles', 'venues', 'pets', 'nowrepblue-simulator', 'broadstreet-simulator', 'connectors', 'gateway']));
  expect(entries).toContainEqual(expect.objectContaining({ service: 'profiles', level: 'info', msg: 'admin user created' }));
}, 90_000);
