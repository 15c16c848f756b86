/**
 * Profiles is rebuildable: after users register, edit their profiles, change
 * roles and passwords and log out (all through the gateway, like clients), an
 * operator rebuilds `profiles.users` from the service's event store, through
 * `POST /api/ops/profiles/replays` (the console's route) and `npx ripple replay
 * users`; clients read the same answers before and after, and the service goes on
 * with the rebuilt table.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { eventually } from '@ripple/testing';
import { apiClient, signUp, type ApiClient } from './support/http-client';
import { startRipple, type RunningRipple } from './support/ripple-processes';

const ADMIN_PASSWORD = 'e2e-admin-password';
const PASSWORD = 'correct horse battery';
let ripple: RunningRipple;
let api: ApiClient;
let admin: string;
let db: Client;

beforeAll(async () => {
  ripple = await startRipple({ ADMIN_PASSWORD });
  api = apiClient(ripple.url);
  admin = (await api.post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).body.data.token;
  db = new Client({ connectionString: ripple.db.url });
  await db.connect();
}, 180_000);

afterAll(async () => {
  await db?.end();
  await ripple?.stop();
});

/** `npx ripple ...` as an operator runs it: a process, talking to the gateway. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(__dirname, '..', '..', 'scripts', 'ripple.js'), ...args], { env: { PATH: process.env.PATH, RIPPLE_URL: ripple.url, ADMIN_PASSWORD } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

const usersTable = async () => (await db.query('SELECT * FROM profiles.users ORDER BY id')).rows;
const ok = (res: { status: number; body: unknown }, status = 200) => expect({ status: res.status, body: res.body }).toMatchObject({ status });

interface Account { id: string; username: string; token: string }
let accounts: Account[] = [];

/** What clients read of every account: each one's own view, the admin's, and a stranger's. */
async function answers(stranger: Account) {
  return Promise.all(accounts.map(async (a) => ({
    me: (await api.get('/api/users/me', { token: a.token })).body,
    byAdmin: (await api.get(`/api/users/${a.id}`, { token: admin })).body,
    byStranger: (await api.get(`/api/users/${a.id}`, { token: stranger.token })).body,
  })));
}

describe('rebuilding profiles.users from its events', () => {
  let stranger: Account;
  let venue: Account;
  let plain: Account;

  beforeAll(async () => {
    venue = await signUp(api, 'venue', { fullName: 'Vera', venueName: 'Arena', venueLocation: 'Quito' });
    const gallera = await signUp(api, 'gallera', { galleraName: 'Roost', phone: '+1 555 0100' });
    const owner = await signUp(api, 'pet_owner');
    plain = await signUp(api, 'user', { bio: 'hello' });
    stranger = await signUp(api, 'user');
    ok(await api.put('/api/users/profile', { profileInfo: { venueLocation: 'Lima', bio: 'b1' } }, { token: venue.token }));
    ok(await api.put('/api/users/profile', { profileInfo: { phone: null, galleraLocation: 'Lima' }, expectedVersion: 1 }, { token: gallera.token }));
    ok(await api.put('/api/users/profile', { profileInfo: { bio: '' } }, { token: plain.token, headers: { 'idempotency-key': 'rebuild-key-1' } }));
    ok(await api.put(`/api/users/${owner.id}/role`, { role: 'veterinarian' }, { token: admin }));
    ok(await api.put(`/api/users/${gallera.id}/role`, { role: 'venue' }, { token: admin }));
    const changed = await api.put('/api/users/password', { currentPassword: PASSWORD, newPassword: 'a new password 1' }, { token: plain.token });
    ok(changed);
    plain = { ...plain, token: changed.body.data.token };
    ok(await api.post('/api/auth/logout', undefined, { token: venue.token }));
    venue = { ...venue, token: (await api.post('/api/auth/login', { username: venue.username, password: PASSWORD })).body.data.token };
    ok(await api.put('/api/users/profile', { profileInfo: { fullName: 'Plain' } }, { token: plain.token }));
    // The role changes revoked the tokens of the owner and the gallera: they sign in again.
    const relogin = async (a: Account) => ({ ...a, token: (await api.post('/api/auth/login', { username: a.username, password: PASSWORD })).body.data.token });
    accounts = [venue, await relogin(gallera), await relogin(owner), plain];
  }, 60_000);

  it('through POST /api/ops/profiles/replays: the table and every answer are as before, with progress to swapped', async () => {
    const before = { table: await usersTable(), answers: await answers(stranger) };
    expect(before.table.length).toBe(6);
    expect(before.answers.map((a) => a.me.data.version)).toEqual([3, 4, 3, 4]);

    const started = await api.post('/api/ops/profiles/replays', { projection: 'users' }, { token: admin });
    expect(started.status).toBe(202);
    expect(started.body.data).toMatchObject({ projection: 'users', status: 'running' });
    const job = await eventually(async () => {
      const j = (await api.get(`/api/ops/profiles/replays/${started.body.data.id}`, { token: admin })).body.data;
      return j.status !== 'running' && j;
    }, { what: 'the replay to finish', timeoutMs: 60_000 });
    const [{ events }] = (await db.query(`SELECT count(*)::int AS events FROM profiles.events WHERE aggregate_type = 'user'`)).rows;
    expect(job).toMatchObject({ status: 'succeeded', phase: 'swapped', applied: events, total: events, error: null });

    expect({ table: await usersTable(), answers: await answers(stranger) }).toEqual(before);
    // Anyone but an admin is refused, and an unknown name is named.
    expect((await api.post('/api/ops/profiles/replays', { projection: 'users' }, { token: plain.token })).status).toBe(403);
    const unknown = await api.post('/api/ops/profiles/replays', { projection: 'no-such' }, { token: admin });
    expect({ status: unknown.status, body: JSON.stringify(unknown.body) }).toEqual({ status: 400, body: expect.stringContaining('pet-relations, users') });
  });

  it('through npx ripple replay users, and the service goes on with the rebuilt table: edits propagate, a taken username is refused, sign-in works', async () => {
    const before = { table: await usersTable(), answers: await answers(stranger) };
    const { code, stdout, stderr } = await cli(['replay', 'users']);
    expect({ code, stderr: stderr.split('\n').filter((l) => !/rebuilding|catching-up|swapped/.test(l)).join('\n') }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^users \(profiles\) rebuilt from \d+ events/m);
    expect({ table: await usersTable(), answers: await answers(stranger) }).toEqual(before);

    const edit = await api.put('/api/users/profile', { profileInfo: { venueName: 'Arena Rebuilt' } }, { token: venue.token });
    expect({ status: edit.status, version: edit.body.data?.version }).toEqual({ status: 200, version: 4 });
    await eventually(async () => (await api.get(`/api/venues?ownerId=${venue.id}`)).body.data[0]?.name === 'Arena Rebuilt', { what: 'the venue to follow the edit' });
    expect((await api.get('/api/users/me', { token: venue.token })).body.data).toMatchObject({ version: 4, profileInfo: { venueName: 'Arena Rebuilt' } });

    const taken = await api.post('/api/users', { username: venue.username, email: 'other@example.test', password: PASSWORD, role: 'user' });
    expect({ status: taken.status, code: taken.body.error?.code }).toEqual({ status: 409, code: 'USERNAME_TAKEN' });
    // Unique ignoring case, by the index the rebuilt table kept the name of.
    const takenOtherCase = await api.post('/api/users', { username: venue.username.toUpperCase(), email: 'other2@example.test', password: PASSWORD, role: 'user' });
    expect({ status: takenOtherCase.status, code: takenOtherCase.body.error?.code }).toEqual({ status: 409, code: 'USERNAME_TAKEN' });
    ok(await api.post('/api/auth/login', { username: plain.username, password: 'a new password 1' }));
    const fresh = await signUp(api, 'gallera', { galleraName: 'After', galleraLocation: 'Cali' });
    await eventually(async () => (await api.get(`/api/galleras?ownerId=${fresh.id}`)).body.data[0]?.name === 'After', { what: 'a gallera registered after the rebuild' });
  });
});
