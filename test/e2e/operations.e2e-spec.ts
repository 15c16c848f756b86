/**
 * What an operator sees of a running Ripple and does to it: the admin pipeline
 * view through the gateway, and the `ripple` command-line tool run as a process
 * against the compiled apps running as processes.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { projectionLockKey } from '@ripple/projections';
import { eventually, freePort } from '@ripple/testing';
import { startSimulator, type RunningSimulator } from '../simulators/src/nowrepblue/simulator';
import { apiClient, signUp, type ApiClient } from './support/http-client';
import { startRipple, type RunningRipple } from './support/ripple-processes';

const ADMIN_PASSWORD = 'e2e-admin-password';
let sim: RunningSimulator;
let ripple: RunningRipple;
let api: ApiClient;
let admin: string;
let db: Client;

beforeAll(async () => {
  sim = await startSimulator({ talents: 40, seed: 3, apiKey: 'e2e-ops-key' });
  ripple = await startRipple({ ADMIN_PASSWORD, DEAD_LETTER_AFTER: '2', RETRY_BACKOFF_MS: '50', NOWREPBLUE_BASE_URL: sim.url, NOWREPBLUE_API_KEY: 'e2e-ops-key', NOWREPBLUE_PAGE_SIZE: '10' });
  api = apiClient(ripple.url);
  admin = (await api.post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).body.data.token;
  db = new Client({ connectionString: ripple.db.url });
  await db.connect();
}, 90_000);

afterAll(async () => {
  await db?.end();
  await ripple?.stop();
  await sim?.stop();
});

/** `npx ripple ...` as an operator runs it: a process, talking to the gateway. */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(__dirname, '..', '..', 'scripts', 'ripple.js'), ...args], { env: { PATH: process.env.PATH, RIPPLE_URL: ripple.url, ADMIN_PASSWORD, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

/** A table's rows as arrays of cells (header first). */
const rows = (stdout: string) => stdout.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));

type Report = { service: string; error?: string; outboxBacklog: number | null; relayLeader: boolean | null; projections: { name: string; lag: number | null; deadLetters: number; leader: boolean }[] };
const pipeline = async () => (await api.get<{ data: { services: Report[] } }>('/api/admin/pipeline', { token: admin })).body.data.services;
const projection = (services: Report[], name: string) => services.flatMap((s) => s.projections ?? []).find((p) => p.name === name)!;

describe('GET /api/admin/pipeline', () => {
  it('lists every app with its outbox backlog and each projection, and counts a dead letter as it opens', async () => {
    const before = await pipeline();
    expect(before.map((s) => s.service)).toEqual(['gateway', 'profiles', 'venues', 'pets', 'connectors']);
    expect(before.find((s) => s.service === 'gateway')).toMatchObject({ outboxBacklog: null });
    expect(before.find((s) => s.service === 'profiles')!.outboxBacklog).toEqual(expect.any(Number));
    expect(projection(before, 'change-feed-venues')).toBeDefined();
    expect(projection(before, 'venue-directory').deadLetters).toBe(0);
    // One instance per app: it leads its relay and every projection, as soon as it has taken their leases.
    const led = await eventually(async () => {
      const services = await pipeline();
      return services.every((s) => s.relayLeader !== false && s.projections.every((p) => p.leader)) && services;
    }, { what: 'every relay and projection to have its leader' });
    expect(led.map((s) => [s.service, s.relayLeader])).toEqual([['gateway', null], ['profiles', true], ['venues', true], ['pets', true], ['connectors', true]]);

    try {
      await db.query(`ALTER TABLE venues.venues ADD CONSTRAINT e2e_ops_poison CHECK (name <> 'Ops Poison')`);
      const owner = await signUp(api, 'venue', { venueName: 'Ops Hall', venueLocation: 'Quito' });
      expect((await api.put('/api/users/profile', { profileInfo: { venueName: 'Ops Poison' } }, { token: owner.token })).status).toBe(200);
      await eventually(async () => projection(await pipeline(), 'venue-directory').deadLetters === 1, { what: 'the dead letter in the pipeline view' });
      const after = await pipeline();
      expect(after.find((s) => s.service === 'profiles')!.outboxBacklog).toBe(0);
      expect(projection(after, 'venue-directory').lag).toEqual(expect.any(Number));
    } finally {
      await db.query('ALTER TABLE venues.venues DROP CONSTRAINT IF EXISTS e2e_ops_poison');
    }
  });

  it('counts the messages a projection has not committed yet', async () => {
    const lag = async () => projection(await pipeline(), 'contact-sync').lag;
    await eventually(async () => (await lag()) === 0, { what: 'contact-sync to catch up' });
    // Held here, the lock a replay swap takes: contact-sync's batches wait for it, their messages unacknowledged.
    const holder = new Client({ connectionString: ripple.db.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(hashtext($1))', [projectionLockKey('pets', 'contact-sync')]);
      const owner = await signUp(api, 'user');
      for (const bio of ['one', 'two']) expect((await api.put('/api/users/profile', { profileInfo: { bio } }, { token: owner.token })).status).toBe(200);
      // Registered, then updated twice: three events on PROFILES.
      await eventually(async () => (await lag()) === 3, { what: 'a lag of three' });
    } finally {
      await holder.end();
    }
    await eventually(async () => (await lag()) === 0, { what: 'the lag to fall back to 0' });
  });

  it('names a service that does not answer instead of leaving it out', async () => {
    await ripple.stopApp('pets');
    try {
      const services = await pipeline();
      expect(services.find((s) => s.service === 'pets')!.error).toMatch(/unreachable/);
      expect(services.find((s) => s.service === 'venues')!.error).toBeUndefined();
    } finally {
      await ripple.startApp('pets');
    }
  });

  it('is for admins only', async () => {
    const user = await signUp(api, 'user');
    expect((await api.get('/api/admin/pipeline')).status).toBe(401);
    expect((await api.get('/api/admin/pipeline', { token: user.token })).status).toBe(403);
    expect((await api.get('/api/ops/venues/pipeline', { token: user.token })).status).toBe(403);
  });
});

describe('ripple lag', () => {
  it('prints every projection with its lag and open dead letters, and every outbox backlog', async () => {
    const { code, stdout } = await cli(['lag']);
    expect(code).toBe(0);
    const table = rows(stdout);
    expect(table[0]).toEqual(['SERVICE', 'PROJECTION', 'STREAM', 'LAG', 'DEAD LETTERS', 'OUTBOX BACKLOG']);
    const projections = table.slice(1).map((r) => r[1]);
    for (const p of ['venue-directory', 'pet-relations', 'contact-sync', 'change-feed-profiles', 'change-feed-connectors']) expect(projections).toContain(p);
    expect(table.filter((r) => r[1] === '(outbox)').map((r) => r[0])).toEqual(['profiles', 'venues', 'pets', 'connectors']);
    // The first test's dead letter is still open.
    expect(table.find((r) => r[1] === 'venue-directory')).toEqual(['venues', 'venue-directory', 'profiles', expect.stringMatching(/^\d+$/), '1']);
  });
});

describe('ripple dead-letters', () => {
  it('lists the open ones of every service, retries one and discards another', async () => {
    await db.query(`ALTER TABLE venues.venues ADD CONSTRAINT e2e_cli_poison CHECK (name NOT LIKE 'CLI Poison%')`);
    const owners = [await signUp(api, 'venue', { venueName: 'CLI A', venueLocation: 'Lima' }), await signUp(api, 'venue', { venueName: 'CLI B', venueLocation: 'Lima' })];
    for (const o of owners) await api.put('/api/users/profile', { profileInfo: { venueName: `CLI Poison ${o.username}` } }, { token: o.token });
    const listed = await eventually(async () => {
      const { code, stdout } = await cli(['dead-letters', 'list', '--service', 'venues']);
      const found = rows(stdout).filter((r) => owners.some((o) => r.includes(o.id)));
      return code === 0 && found.length === 2 && found;
    }, { what: 'two dead letters listed by the CLI' });
    expect(listed[0].slice(1, 4)).toEqual(['venues', 'venue-directory', 'UserProfileUpdated']);
    await db.query('ALTER TABLE venues.venues DROP CONSTRAINT e2e_cli_poison');

    const [retryId, discardId] = owners.map((o) => listed.find((r) => r.includes(o.id))![0]);
    const retried = await cli(['dead-letters', 'retry', retryId]);
    expect(retried).toMatchObject({ code: 0, stdout: expect.stringContaining(`1 event(s) applied by venues: UserProfileUpdated ${owners[0].id}`) });
    expect((await api.get(`/api/venues?ownerId=${owners[0].id}`)).body.data[0].name).toBe(`CLI Poison ${owners[0].username}`);
    const discarded = await cli(['dead-letters', 'discard', discardId]);
    expect(discarded).toMatchObject({ code: 0, stdout: expect.stringContaining(`discarded ${discardId}`) });
    expect((await api.get(`/api/venues?ownerId=${owners[1].id}`)).body.data[0].name).toBe('CLI B');

    const after = await cli(['dead-letters', 'list', '--status', 'discarded']);
    expect(rows(after.stdout).filter((r) => r[0] === discardId)).toHaveLength(1);
    const again = await cli(['dead-letters', 'retry', retryId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/409: DEAD_LETTER_NOT_OPEN: dead letter .* is resolved/);
  });
});

describe('ripple replay and republish', () => {
  it('rebuilds every projection, the gateway\'s feed included, with progress, leaving what clients read as it was', async () => {
    const user = await signUp(api, 'venue', { venueName: 'Replay Hall', venueLocation: 'Quito' });
    await eventually(async () => (await api.get(`/api/venues?ownerId=${user.id}`)).body.data[0], { what: 'the venue' });
    // Cursors are encrypted afresh on every read: the rest of each change is compared.
    const feed = async () => (await api.get('/api/sync/changes?limit=1000', { token: user.token })).body.data.changes.map(({ cursor: _, ...change }: { cursor: string }) => change);
    await eventually(async () => (await feed()).some((c: { eventType: string }) => c.eventType === 'VenueSynced'), { what: 'the venue in the feed' });
    // The earlier tests' poisoned updates are in the stream unapplied (one still dead-lettered, one discarded): a rebuild applies them.
    const venues = async () => (await api.get('/api/venues?limit=200')).body.data.filter((v: { ownerId: string }) => !poisoned.has(v.ownerId));
    const poisoned = new Set((await db.query(`SELECT aggregate_id FROM venues.dead_letters`)).rows.map((r) => r.aggregate_id));
    const before = { venues: await venues(), feed: await feed() };
    expect(before.venues.length).toBeGreaterThan(0);

    const { code, stdout, stderr } = await cli(['replay', '--all']);
    expect(code).toBe(0);
    const projections = ['change-feed-profiles', 'change-feed-venues', 'change-feed-pets', 'change-feed-connectors', 'pet-relations', 'venue-directory', 'contact-sync', 'pet-sync', 'pet-history'];
    for (const p of projections) expect(stdout).toMatch(new RegExp(`^${p} \\((gateway|profiles|venues|pets)\\) rebuilt from \\d+ events`, 'm'));
    expect(stderr).toMatch(/venue-directory swapped \[#{24}\] 100% (\d+)\/\1 .*done/);
    expect({ venues: await venues(), feed: await feed() }).toEqual(before);
  });

  it('republishes a service\'s events and waits until its relay has sent them all', async () => {
    const [{ n }] = (await db.query('SELECT count(*)::int AS n FROM profiles.events')).rows;
    const { code, stdout, stderr } = await cli(['republish', 'profiles']);
    expect(code).toBe(0);
    expect(stdout).toContain(`${n} events of profiles republished`);
    expect(stderr).toMatch(/profiles republished \[#{24}\] 100%/);
    // Sent means acknowledged by JetStream; the rows' marks follow with the relay's next pass, or within 200 ms.
    const unpublished = async () => (await db.query('SELECT count(*)::int AS n FROM profiles.outbox')).rows[0].n;
    await eventually(async () => (await unpublished()) === 0, { what: 'the republished events marked published' });
  });
});

describe('ripple runs', () => {
  it('starts a connector run and follows its entities to the end, then lists it', async () => {
    const started = await cli(['runs', 'start', 'nowrepblue']);
    expect(started.code).toBe(0);
    const id = /run ([0-9a-f-]{36}) of nowrepblue started \(full\)/.exec(started.stdout)![1];
    expect(started.stdout).toMatch(new RegExp(`run ${id} succeeded in`));
    const last = started.stdout.slice(started.stdout.lastIndexOf('ENTITY'));
    expect(rows(last).find((r) => r[0] === 'talents')).toEqual(['talents', '0', 'transformed', '40', '40', '40', '100%']);

    const watched = await cli(['runs', 'watch', id]);
    expect(watched).toMatchObject({ code: 0, stdout: expect.stringContaining(`run ${id} succeeded`) });
    const listed = await cli(['runs', 'list', '--connector', 'nowrepblue']);
    expect(rows(listed.stdout).find((r) => r[0] === id)!.slice(1, 5)).toEqual(['nowrepblue', 'full', 'manual', 'succeeded']);
  });
});

describe('ripple says what is wrong and exits non-zero', () => {
  it('bad arguments: 2, naming what was expected', async () => {
    const unknown = await cli(['replay', 'no-such-projection']);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/no projection named no-such-projection; known: .*venue-directory/) });
    expect(await cli(['dead-letters', 'list', '--status', 'lost'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--status must be one of open, resolved, discarded') });
    expect(await cli(['republish', 'profiles', '--from', '-3'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--from must be an event store position') });
    expect(await cli(['runs', 'watch', 'yesterday'])).toMatchObject({ code: 2, stderr: expect.stringContaining("give the run's id") });
    expect(await cli(['lag', '--verbose'])).toMatchObject({ code: 2, stderr: expect.stringContaining('lag takes no --verbose') });
    expect(await cli(['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "frobnicate"') });
  });

  it('a refusal from the stack: 1, with its status and code', async () => {
    expect(await cli(['republish', 'gateway'])).toMatchObject({ code: 1, stderr: expect.stringContaining('404: NOTHING_PUBLISHED: gateway publishes no events') });
    expect(await cli(['runs', 'watch', '0190f5d2-0000-7000-8000-000000000000'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/answered 404/) });
    expect(await cli(['dead-letters', 'retry', '0190f5d2-0000-7000-8000-000000000000'])).toMatchObject({ code: 1, stderr: expect.stringContaining('no service has a dead letter') });
    expect(await cli(['lag'], { ADMIN_PASSWORD: 'not the password' })).toMatchObject({ code: 1, stderr: expect.stringContaining('cannot sign in as admin') });
  });

  it('no stack: 1, saying where it looked', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    expect(await cli(['lag'], { RIPPLE_URL: url })).toMatchObject({ code: 1, stderr: expect.stringContaining(`cannot reach Ripple at ${url}`) });
  });
});
