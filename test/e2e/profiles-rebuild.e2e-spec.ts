/**
 * Profiles is rebuildable: after users register, edit their profiles, change
 * roles and passwords and log out (all through the gateway, like clients), an
 * operator's `npx ripple replay users` rebuilds `profiles.users` from the
 * PROFILES events, equal to the live table row for row, and the service works
 * on the rebuilt table as before.
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
const expectOk = (res: { status: number; body: unknown }, status = 200) => expect({ status: res.status, body: res.body }).toMatchObject({ status });

describe('npx ripple replay users', () => {
  it('rebuilds the users table from its events, equal to the live one row for row, and the service goes on with it', async () => {
    const venue = await signUp(api, 'venue', { fullName: 'Vera', venueName: 'Arena' });
    const gallera = await signUp(api, 'gallera', { galleraName: 'Roost', phone: '+1 555 0100' });
    const owner = await signUp(api, 'pet_owner');
    const plain = await signUp(api, 'user', { bio: 'hello' });
    expectOk(await api.put('/api/users/profile', { profileInfo: { venueLocation: 'Quito', bio: 'b1' } }, { token: venue.token }));
    expectOk(await api.put('/api/users/profile', { profileInfo: { phone: null, galleraLocation: 'Lima' }, expectedVersion: 1 }, { token: gallera.token }));
    expectOk(await api.put('/api/users/profile', { profileInfo: { bio: '' } }, { token: plain.token, headers: { 'idempotency-key': 'rebuild-key-1' } }));
    expectOk(await api.put(`/api/users/${owner.id}/role`, { role: 'veterinarian' }, { token: admin }));
    expectOk(await api.put(`/api/users/${gallera.id}/role`, { role: 'venue' }, { token: admin }));
    const changed = await api.put('/api/users/password', { currentPassword: PASSWORD, newPassword: 'a new password 1' }, { token: plain.token });
    expectOk(changed);
    expectOk(await api.post('/api/auth/logout', undefined, { token: venue.token }));
    expectOk(await api.put('/api/users/profile', { profileInfo: { fullName: 'Plain' } }, { token: changed.body.data.token }));
    // Every event on the stream, so the rebuild reads them all.
    await eventually(async () => (await db.query('SELECT count(*)::int AS n FROM profiles.events WHERE published_at IS NULL')).rows[0].n === 0, { what: 'the outbox to drain' });
    const live = await usersTable();
    expect(live.length).toBe(5);
    expect(live.find((u) => u.id === gallera.id)).toMatchObject({ role: 'venue', version: 4, token_version: 1, profile_info: { galleraName: 'Roost', galleraLocation: 'Lima' } });

    const { code, stdout, stderr } = await cli(['replay', 'users']);
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stdout).toMatch(/^users \(profiles\) rebuilt from \d+ events/m);
    expect(await usersTable()).toEqual(live);

    // The rebuilt table is the service's: a taken username is still a 409 naming it, sign-in and edits go on.
    const taken = await api.post('/api/users', { username: venue.username, email: 'other@example.test', password: PASSWORD, role: 'user' });
    expect({ status: taken.status, code: taken.body.error?.code }).toEqual({ status: 409, code: 'USERNAME_TAKEN' });
    const login = await api.post('/api/auth/login', { username: plain.username, password: 'a new password 1' });
    expectOk(login);
    const edit = await api.put('/api/users/profile', { profileInfo: { bio: 'after the rebuild' } }, { token: login.body.data.token });
    expect({ status: edit.status, version: edit.body.data?.version }).toEqual({ status: 200, version: 5 });
  });
});
