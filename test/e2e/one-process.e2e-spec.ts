/**
 * `npm start -- --one-process`: the five services hosted in one Node process
 * (scripts/one-process.js), each still its own Nest app on its own port; and
 * `npm start -- --hosts …`: hosted in the groups it names. A change goes through
 * the whole pipeline as with one process per service, and a SIGTERM closes the
 * services gateway first, then exits 0.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { connectBroker } from '@ripple/messaging';
import { createTestDatabase, deleteNamespaceStreams, eventually, freePort, testNamespace, testNatsUrl } from '@ripple/testing';
import { apiClient, signUp } from './support/http-client';
import { sseClient } from './support/realtime-clients';

const START = join(__dirname, '..', '..', 'scripts', 'start.js');

it.each([
  { how: 'every service in one process', args: ['--one-process'], hosts: { ripple: 'profiles,venues,pets,connectors,gateway' } },
  { how: 'the gateway apart from the other four', args: ['--hosts', 'profiles+venues+pets+connectors,gateway'], hosts: { 'profiles+venues+pets+connectors': 'profiles,venues,pets,connectors', gateway: undefined } },
])('runs $how: a profile change reaches the venue and the owner\'s SSE client; SIGTERM stops the gateway first', async ({ args, hosts }) => {
  const db = await createTestDatabase('ripple_one');
  const namespace = testNamespace();
  const natsUrl = await testNatsUrl();
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, DATABASE_URL: db.url, NATS_URL: natsUrl, RIPPLE_NAMESPACE: namespace, JWT_SECRET: 'e2e-secret-at-least-16-chars', LOG_FORMAT: 'json' };
  for (const name of ['PORT', 'PROFILES_PORT', 'VENUES_PORT', 'PETS_PORT', 'CONNECTORS_PORT', 'SIM_PORT', 'BROADSTREET_SIM_PORT']) env[name] = String(await freePort());
  const child = spawn(process.execPath, [START, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  try {
    await eventually(async () => out.includes('Ripple is up'), { timeoutMs: 90_000, what: `Ripple to be up:\n${out}` });
    const started = lines().filter((l) => l.service === 'start' && / started$/.test(l.msg));
    // The hosts asked for, beside the two simulators; a host names its services.
    expect(started.map((l) => l.msg).sort()).toEqual(['broadstreet-simulator started', 'nowrepblue-simulator started', ...Object.keys(hosts).map((h) => `${h} started`)].sort());
    for (const [host, services] of Object.entries(hosts)) expect(started.find((l) => l.msg === `${host} started`)?.services).toBe(services);
    // Each service listens on its own port, as set for it.
    for (const [service, port] of [['profiles', env.PROFILES_PORT], ['venues', env.VENUES_PORT], ['gateway', env.PORT]]) {
      expect(lines()).toContainEqual(expect.objectContaining({ service, msg: `${service} listening`, url: expect.stringContaining(`:${port}`) }));
    }

    const url = `http://127.0.0.1:${env.PORT}`;
    const api = apiClient(url);
    const owner = await signUp(api, 'venue', { fullName: 'One Owner' });
    const feed = sseClient(url, { token: owner.token });
    try {
      await eventually(async () => feed.messages.find((m) => m.type === 'connected'), { what: 'SSE connected' });
      const updated = await api.put('/api/users/profile', { profileInfo: { venueName: 'One Hall', venueLocation: 'Cuenca' } }, { token: owner.token });
      expect(updated.status).toBe(200);
      const venue = await eventually(async () => (await api.get(`/api/venues?ownerId=${owner.id}`)).body.data[0], { timeoutMs: 30_000, what: 'the venue' });
      expect(venue).toMatchObject({ name: 'One Hall', location: 'Cuenca' });
      await eventually(async () => feed.changes().find((m) => m.eventType === 'VenueSynced' && m.recordId === venue.id), { timeoutMs: 30_000, what: 'VenueSynced over SSE' });
    } finally {
      feed.close();
    }

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Each service's first "shutting down" (the gateway's connection drain says it too).
    const shutdowns = [...new Set(lines().filter((l) => l.msg === 'shutting down').map((l) => l.service))];
    expect(shutdowns).toEqual(['gateway', 'connectors', 'pets', 'venues', 'profiles']);
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    const broker = await connectBroker(natsUrl, 'one-process-cleanup');
    await deleteNamespaceStreams(broker.jsm as never, namespace);
    await broker.nc.close();
    await db.drop();
  }
}, 150_000);
