/**
 * A user edits their profile once, and their venue or gallera follows: through
 * the gateway over HTTP, against the compiled apps running as processes with
 * real PostgreSQL and NATS.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { eventually, testNatsUrl } from '@ripple/testing';
import { apiClient, signUp, type ApiClient } from './support/http-client';
import { startRipple, type RunningRipple } from './support/ripple-processes';

let ripple: RunningRipple;
let api: ApiClient;

beforeAll(async () => {
  ripple = await startRipple({ ADMIN_PASSWORD: 'e2e-admin-password', DEAD_LETTER_AFTER: '3', RETRY_BACKOFF_MS: '50' });
  api = apiClient(ripple.url);
}, 90_000);

afterAll(async () => {
  await ripple?.stop();
});

const venueOf = async (ownerId: string) => (await api.get(`/api/venues?ownerId=${ownerId}`)).body.data[0];
const galleraOf = async (ownerId: string) => (await api.get(`/api/galleras?ownerId=${ownerId}`)).body.data[0];
const updateProfile = (token: string, profileInfo: Record<string, unknown>, headers: Record<string, string> = {}) =>
  api.put('/api/users/profile', { profileInfo }, { token, headers });

describe('venue follows its owner profile', () => {
  it('appears once name and location are known, then follows each change', async () => {
    const owner = await signUp(api, 'venue', { fullName: 'John Doe' });

    const first = await updateProfile(owner.token, { venueName: 'Elite Arena' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ success: true, message: 'Profile updated successfully', data: { id: owner.id, role: 'venue', version: 2, displayName: 'Elite Arena' } });

    await updateProfile(owner.token, { venueLocation: 'Quito, Ecuador', businessName: 'Elite Entertainment LLC' });
    const created = await eventually(() => venueOf(owner.id), { what: 'venue to be created' });
    expect(created).toMatchObject({ name: 'Elite Arena', location: 'Quito, Ecuador', description: '', version: 1, lastChangedBy: { eventType: 'UserProfileUpdated' } });
    expect((await api.get(`/api/venues/${created.id}`)).body.data.name).toBe('Elite Arena');

    await updateProfile(owner.token, { venueDescription: 'Premier venue', venueEmail: 'hi@elite.test', venueWebsite: 'https://elite.test' });
    const described = await eventually(async () => ((await venueOf(owner.id))?.version === 2 ? venueOf(owner.id) : undefined), { what: 'description' });
    expect(described).toMatchObject({ description: 'Premier venue', contactInfo: { email: 'hi@elite.test', website: 'https://elite.test' } });

    // Clearing venueName falls back to businessName, and the display name follows the same rule.
    const cleared = await updateProfile(owner.token, { venueName: null });
    expect(cleared.body.data.displayName).toBe('Elite Entertainment LLC');
    await eventually(async () => (await venueOf(owner.id))?.name === 'Elite Entertainment LLC', { what: 'businessName fallback' });
  });

  it('reaches the owner\'s change feed as VenueSynced, and nobody else\'s', async () => {
    const owner = await signUp(api, 'venue', { venueName: 'Feed Hall', venueLocation: 'Cali' });
    const stranger = await signUp(api, 'venue', {});
    const venue = await eventually(() => venueOf(owner.id), { what: 'venue' });
    const synced = (token: string) => async () =>
      ((await api.get('/api/sync/changes', { token })).body.data.changes as { eventType: string; recordId: string }[]).filter((c) => c.eventType === 'VenueSynced' && c.recordId === venue.id);
    const seen = await eventually(async () => ((await synced(owner.token)()).length === 1 ? synced(owner.token)() : undefined), { what: 'VenueSynced in the owner feed' });
    expect(seen[0]).toMatchObject({ tableName: 'venues', operation: 'INSERT' });
    expect(await synced(stranger.token)()).toEqual([]);
  });

  it('leaves the venue untouched by changes to fields it does not hold', async () => {
    const owner = await signUp(api, 'venue', { venueName: 'Quiet Hall', venueLocation: 'Lima' });
    const before = await eventually(() => venueOf(owner.id), { what: 'venue' });
    expect(before.version).toBe(1);

    const unrelated = await updateProfile(owner.token, { fullName: 'Jane Roe', bio: 'I run a hall', phone: '+51 1 234' });
    expect(unrelated.status).toBe(200);
    // Events of one user apply in order: once this later change shows, the unrelated one has been applied too.
    await updateProfile(owner.token, { venueDescription: 'Small hall' });
    const after = await eventually(async () => ((await venueOf(owner.id))?.description === 'Small hall' ? venueOf(owner.id) : undefined), { what: 'description' });
    expect(after.version).toBe(2);
    expect(after.lastChangedBy.eventId).not.toBe(before.lastChangedBy.eventId);
  });

  it('refuses a stale expectedVersion or If-Match with 409 and the current version', async () => {
    const owner = await signUp(api, 'venue', {});
    expect((await updateProfile(owner.token, { venueName: 'V1' })).body.data.version).toBe(2);

    const stale = await api.put('/api/users/profile', { profileInfo: { venueName: 'V-stale' }, expectedVersion: 1 }, { token: owner.token });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2, expectedVersion: 1 });

    const staleHeader = await updateProfile(owner.token, { venueName: 'V-stale' }, { 'if-match': '"1"' });
    expect(staleHeader.status).toBe(409);

    const fresh = await updateProfile(owner.token, { venueName: 'V2' }, { 'if-match': '"2"' });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toBe('"3"');
    expect((await api.get('/api/users/me', { token: owner.token })).body.data.profileInfo.venueName).toBe('V2');
  });
});

describe('gallera follows its owner profile', () => {
  it('is created and updated with specialties and active roosters', async () => {
    const owner = await signUp(api, 'gallera', { fullName: 'Ana' });
    await updateProfile(owner.token, { galleraName: 'Gallera Sol', galleraLocation: 'Cusco', galleraSpecialties: 'breeding', galleraActiveRoosters: 12 });
    const created = await eventually(() => galleraOf(owner.id), { what: 'gallera' });
    expect(created).toMatchObject({ name: 'Gallera Sol', location: 'Cusco', specialties: 'breeding', activeRoosters: 12, version: 1 });
    expect(await venueOf(owner.id)).toBeUndefined();

    await updateProfile(owner.token, { galleraActiveRoosters: 15, galleraEmail: 'sol@gallera.test' });
    const updated = await eventually(async () => ((await galleraOf(owner.id))?.activeRoosters === 15 ? galleraOf(owner.id) : undefined), { what: 'roosters' });
    expect(updated).toMatchObject({ specialties: 'breeding', contactInfo: { email: 'sol@gallera.test' }, version: 2 });
    expect((await api.get(`/api/galleras/${updated.id}`)).body.data.name).toBe('Gallera Sol');
  });
});

describe('bad input gets a clear 4xx and changes nothing', () => {
  let owner: { id: string; token: string };
  beforeAll(async () => {
    owner = await signUp(api, 'venue', { venueName: 'Guarded', venueLocation: 'Bogota' });
  });
  const version = async () => (await api.get('/api/users/me', { token: owner.token })).body.data.version;

  it.each([
    ['malformed JSON', () => api.call('PUT', '/api/users/profile', { token: owner.token, raw: '{"profileInfo": {' }), 400, 'MALFORMED_JSON'],
    ['an unknown field', () => updateProfile(owner.token, { venueName: 'X', favouriteColour: 'red' }), 400, 'VALIDATION_FAILED'],
    ['a wrong type', () => updateProfile(owner.token, { galleraActiveRoosters: 'many' }), 400, 'VALIDATION_FAILED'],
    ['a missing profileInfo', () => api.put('/api/users/profile', {}, { token: owner.token }), 400, 'VALIDATION_FAILED'],
    ['no token', () => api.put('/api/users/profile', { profileInfo: { venueName: 'X' } }), 401, 'AUTH_REQUIRED'],
    ['a forged token', () => updateProfile(owner.token.slice(0, -4) + 'abcd', { venueName: 'X' }), 401, 'INVALID_TOKEN'],
    ['an oversized body', () => updateProfile(owner.token, { bio: 'x'.repeat(200_000) }), 413, 'PAYLOAD_TOO_LARGE'],
  ])('%s', async (_what, send, status, code) => {
    const before = await version();
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ success: false, error: { code } });
    expect(await version()).toBe(before);
  });

  it('names every bad field', async () => {
    const res = await updateProfile(owner.token, { venueEmail: 'not-an-email', galleraActiveRoosters: -1, extra: 1 });
    expect(res.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['profileInfo.extra', 'profileInfo.galleraActiveRoosters', 'profileInfo.venueEmail']);
  });

  it('an expired token', async () => {
    const { signToken } = await import('@ripple/auth');
    const expired = signToken({ sub: owner.id, role: 'venue', username: 'x' }, 'e2e-secret-at-least-16-chars', 60, Date.now() - 3_600_000);
    const res = await updateProfile(expired, { venueName: 'X' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('TOKEN_EXPIRED');
  });

  it('registration names its bad fields and refuses a self-made admin', async () => {
    const bad = await api.post('/api/users', { username: 'a', email: 'nope', password: 'short', role: 'king' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['email', 'password', 'role', 'username']);
    const admin = await api.post('/api/users', { username: 'wannabe_admin', email: 'w@example.test', password: 'long enough pw', role: 'admin' });
    expect(admin.status).toBe(403);
  });
});

describe('a failing propagation never fails the profile update', () => {
  it('retries, dead-letters, parks later changes, keeps other users flowing, and applies all on retry', async () => {
    const db = new Client({ connectionString: ripple.db.url });
    await db.connect();
    const admin = (await api.post('/api/auth/login', { username: 'admin', password: 'e2e-admin-password' })).body.data.token as string;
    try {
      // A constraint the projection cannot satisfy: a fault we can fix later.
      await db.query(`ALTER TABLE venues.venues ADD CONSTRAINT e2e_no_poison CHECK (name <> 'Poison Arena')`);
      const victim = await signUp(api, 'venue', { venueName: 'Fine Arena', venueLocation: 'Quito' });
      await eventually(() => venueOf(victim.id), { what: 'victim venue' });

      const poisoned = await updateProfile(victim.token, { venueName: 'Poison Arena' });
      expect(poisoned.status).toBe(200);
      expect((await updateProfile(victim.token, { venueLocation: 'Guayaquil' })).status).toBe(200);

      const letters = await eventually(async () => {
        const res = await api.get('/api/ops/venues/dead-letters?status=open', { token: admin });
        return res.body.data.filter((d: { aggregateId: string }) => d.aggregateId === victim.id).length === 2 ? res.body.data : undefined;
      }, { what: 'two dead letters' });
      const head = letters.find((d: { blockedBy: string | null }) => d.blockedBy === null);
      const parked = letters.find((d: { blockedBy: string | null }) => d.blockedBy !== null);
      expect(head).toMatchObject({ eventType: 'UserProfileUpdated', projection: 'venue-directory', attempts: 3 });
      expect(head.error).toMatch(/e2e_no_poison/);
      expect(parked.blockedBy).toBe(head.id);

      // Other users keep flowing meanwhile.
      const bystander = await signUp(api, 'venue', { venueName: 'Bystander Hall', venueLocation: 'Lima' });
      await eventually(() => venueOf(bystander.id), { what: 'bystander venue' });
      expect((await venueOf(victim.id)).name).toBe('Fine Arena');

      expect((await api.post(`/api/ops/venues/dead-letters/${head.id}/retry`, undefined, { token: admin })).status).toBe(422);
      expect((await api.delete(`/api/ops/venues/dead-letters/${parked.id}`, { token: admin })).status).toBe(409);
      expect((await api.get('/api/ops/venues/dead-letters', { token: victim.token })).status).toBe(403);

      await db.query('ALTER TABLE venues.venues DROP CONSTRAINT e2e_no_poison');
      const retried = await api.post(`/api/ops/venues/dead-letters/${head.id}/retry`, undefined, { token: admin });
      expect(retried.status).toBe(200);
      expect(retried.body.data).toHaveLength(2);
      expect(await venueOf(victim.id)).toMatchObject({ name: 'Poison Arena', location: 'Guayaquil', version: 3 });

      // Later changes flow normally again.
      await updateProfile(victim.token, { venueDescription: 'recovered' });
      await eventually(async () => (await venueOf(victim.id))?.description === 'recovered', { what: 'flow after retry' });
    } finally {
      await db.end();
    }
  });
});

describe('nothing is lost across a crash', () => {
  it('applies changes made while the venues service was down', async () => {
    const owner = await signUp(api, 'venue', { venueName: 'Phoenix', venueLocation: 'Quito' });
    await eventually(() => venueOf(owner.id), { what: 'venue' });
    await ripple.stopApp('venues', 'SIGKILL');
    expect((await updateProfile(owner.token, { venueName: 'Phoenix Reborn' })).status).toBe(200);
    await ripple.startApp('venues');
    await eventually(async () => (await venueOf(owner.id))?.name === 'Phoenix Reborn', { what: 'change after restart' });
  });
});

describe('replay', () => {
  it('rebuilds the venue directory from the stream with the same rows as the live one', async () => {
    const all = async () => ({
      venues: (await api.get('/api/venues?limit=200')).body.data,
      galleras: (await api.get('/api/galleras?limit=200')).body.data,
    });
    const before = await all();
    expect(before.venues.length).toBeGreaterThan(3);
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '..', '..', 'scripts', 'ops.js'), 'replay', 'venue-directory'], {
      env: { PATH: process.env.PATH, DATABASE_URL: ripple.db.url, NATS_URL: await testNatsUrl(), RIPPLE_NAMESPACE: ripple.namespace, JWT_SECRET: 'e2e-secret-at-least-16-chars', LOG_LEVEL: 'error' },
    });
    expect(stdout).toMatch(/venue-directory rebuilt from \d+ events/);
    expect(await all()).toEqual(before);
  });
});
