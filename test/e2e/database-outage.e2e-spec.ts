/**
 * PostgreSQL goes away under running apps (an immediate stop: a crash as clients
 * see it) and comes back. Meanwhile every app answers 503 DATABASE_UNAVAILABLE
 * with Retry-After and reports not ready; afterwards writes succeed and
 * propagate again, with no app restarted.
 */
import { eventually, startPrivatePostgres, type PrivatePostgres } from '@ripple/testing';
import { apiClient, signUp, type ApiClient } from './support/http-client';
import { startRipple, type RunningRipple } from './support/ripple-processes';

let pg: PrivatePostgres;
let ripple: RunningRipple;
let api: ApiClient;

beforeAll(async () => {
  pg = await startPrivatePostgres();
  ripple = await startRipple({ ADMIN_PASSWORD: 'e2e-admin-password' }, { databaseUrl: pg.url });
  api = apiClient(ripple.url);
}, 120_000);

afterAll(async () => {
  await pg?.start().catch(() => undefined);
  await ripple?.stop();
  await pg?.destroy();
});

const venueOf = async (ownerId: string) => (await api.get(`/api/venues?ownerId=${ownerId}`)).body.data?.[0];
const health = async (base: string) => {
  const res = await fetch(`${base}/health`);
  return { status: res.status, body: await res.json() };
};

it('answers 503 with Retry-After while PostgreSQL is down, and resumes by itself when it is back', async () => {
  const owner = await signUp(api, 'venue', { venueName: 'Before', venueLocation: 'Quito' });
  await eventually(async () => (await venueOf(owner.id))?.name === 'Before', { what: 'the venue to be created' });

  await pg.stop('immediate');

  const put = await api.put('/api/users/profile', { profileInfo: { venueName: 'During' } }, { token: owner.token });
  expect(put.status).toBe(503);
  expect(put.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(put.body).toEqual({ success: false, error: { code: 'DATABASE_UNAVAILABLE', message: expect.any(String) } });

  // Every app, reads included, and the gateway's own feed.
  for (const [path, token] of [['/api/users/me', owner.token], ['/api/venues', undefined], ['/api/pets', owner.token], ['/api/catalog/talents', owner.token], ['/api/sync/changes', owner.token]] as const) {
    const res = await api.get(path, { token });
    expect({ path, status: res.status, code: res.body?.error?.code, retryAfter: res.headers.get('retry-after') }).toEqual({ path, status: 503, code: 'DATABASE_UNAVAILABLE', retryAfter: expect.stringMatching(/^\d+$/) });
  }

  const notReady = await health(ripple.url);
  expect(notReady.status).toBe(503);
  expect(notReady.body).toMatchObject({ status: 'unavailable', checks: { postgres: { status: 'down' }, profiles: { status: 'down' }, venues: { status: 'down' } } });
  const profilesNotReady = await health(`http://127.0.0.1:${ripple.ports.profiles}`);
  expect(profilesNotReady.body).toMatchObject({ status: 'unavailable', checks: { postgres: { status: 'down' }, nats: { status: 'up' } } });

  // Let the outage outlast the background loops' retry intervals: each has tried to reconnect and failed.
  const retried = (app: 'profiles' | 'venues', msg: string) => () => Promise.resolve(ripple.logs[app].some((l) => l.includes(msg)));
  await eventually(retried('profiles', 'outbox relay cannot reach PostgreSQL'), { what: "profiles' relay to retry in vain" });
  await eventually(retried('venues', 'projection runner interrupted'), { what: "venues' runner to retry in vain" });
  await pg.start();

  await eventually(async () => (await health(ripple.url)).status === 200, { timeoutMs: 30_000, what: 'the gateway and every app to be ready again' });
  const after = await eventually(async () => {
    const res = await api.put('/api/users/profile', { profileInfo: { venueName: 'After' } }, { token: owner.token });
    return res.status === 200 && res;
  }, { timeoutMs: 30_000, what: 'a profile update to succeed' });
  expect(after.body.data.displayName).toBe('After');
  const pet = await api.post('/api/pets', { name: 'Rex', species: 'dog', weightKg: 9 }, { token: owner.token });
  expect(pet.status).toBe(201);

  // The outbox relay and the projection runners came back on their own: the change reaches the venue, then its owner's feed.
  const venue = await eventually(async () => {
    const v = await venueOf(owner.id);
    return v?.name === 'After' && v;
  }, { timeoutMs: 30_000, what: 'the venue to follow the update made after the outage' });
  await eventually(async () => {
    const { changes } = (await api.get('/api/sync/changes', { token: owner.token })).body.data as { changes: { eventType: string; recordId: string; data: { changes?: { name?: string } } }[] };
    return changes.some((c) => c.eventType === 'VenueSynced' && c.recordId === venue.id && c.data?.changes?.name === 'After');
  }, { timeoutMs: 30_000, what: "VenueSynced with the new name in the owner's change feed" });
  expect(ripple.logs.profiles.join('\n')).not.toMatch(/unhandled error/);
});
