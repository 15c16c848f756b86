/**
 * Revocation, sign-in throttling and profile privacy, through the gateway as a
 * client sees them: a demoted admin, a logout and a password change invalidate
 * the old tokens on the next request and close the user's open streams; failed
 * sign-ins get 429 with Retry-After; another user's profile (and change feed)
 * shows private fields only to the people the README names.
 */
import { eventually } from '@ripple/testing';
import { apiClient, signUp, type ApiClient } from './support/http-client';
import { sseClient, wsClient, type FeedClient } from './support/realtime-clients';
import { startRipple, type ExtraGateway, type RunningRipple } from './support/ripple-processes';

let ripple: RunningRipple;
let api: ApiClient;
let admin: string;
const open: FeedClient[] = [];

beforeAll(async () => {
  ripple = await startRipple({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_ADDRESS: '12', LOGIN_THROTTLE_WINDOW_SECONDS: '600' });
  api = apiClient(ripple.url);
  // The first admin, seeded at boot with the development default password.
  const login = await api.post('/api/auth/login', { username: 'admin', password: 'ripple-admin-dev-password' });
  expect(login.status).toBe(200);
  admin = login.body.data.token;
}, 90_000);

afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

afterAll(async () => {
  await ripple?.stop();
});

/** Creates a pets record once the pets service knows the users it names (until then: 422, nothing created). */
const created = (path: string, body: unknown, token: string) =>
  eventually(async () => {
    const res = await api.post(path, body, { token });
    return res.status === 201 && res.body.data;
  }, { what: `${path} to be created` });
const track = <T extends FeedClient>(c: T) => (open.push(c), c);
const connected = (c: FeedClient) => eventually(async () => c.messages.find((m) => m.type === 'connected'), { what: 'connected' });
const me = (token: string) => api.get('/api/users/me', { token });
const login = (username: string, password: string) => api.post('/api/auth/login', { username, password });
const PASSWORD = 'correct horse battery';
let n = 0;
const newAdmin = () => ({ username: `admin_${Date.now().toString(36)}_${++n}`, email: `a${Date.now()}_${n}@example.test`, password: PASSWORD, role: 'admin' });

describe('revocation', () => {
  it('refuses a demoted admin\'s old token on the very next request (creating admins included) and closes their stream', async () => {
    const second = newAdmin();
    const created = await api.post('/api/users', second, { token: admin });
    expect(created.status).toBe(201);
    const oldToken = (await login(second.username, PASSWORD)).body.data.token;
    expect((await api.post('/api/users', newAdmin(), { token: oldToken })).status).toBe(201);
    const stream = track(sseClient(ripple.url, { token: oldToken }));
    await connected(stream);

    expect((await api.put(`/api/users/${created.body.data.id}/role`, { role: 'user' }, { token: admin })).status).toBe(200);

    const refused = await api.post('/api/users', newAdmin(), { token: oldToken });
    expect([refused.status, refused.body.error.code]).toEqual([401, 'TOKEN_REVOKED']);
    expect((await me(oldToken)).status).toBe(401);
    await eventually(async () => stream.messages.find((m) => m.type === 'closing'), { what: 'the stream to close' });
    expect(stream.messages.at(-1)).toMatchObject({ type: 'closing', reason: 'token_revoked' });
    // EventSource reconnects by itself with the same token: refused, so it gives up.
    await eventually(async () => stream.source.readyState === stream.source.CLOSED, { what: 'the reconnect to be refused' });

    const fresh = (await login(second.username, PASSWORD)).body.data;
    expect(fresh.user.role).toBe('user');
    expect((await api.post('/api/users', newAdmin(), { token: fresh.token })).status).toBe(403);
    expect((await me(fresh.token)).status).toBe(200);
  });

  it('logs out every token of the user, closing its WebSocket, and lets them sign in again', async () => {
    const user = await signUp(api, 'user');
    const other = await signUp(api, 'user');
    const ws = track(wsClient(ripple.url, { token: user.token }));
    await connected(ws);

    const out = await api.post('/api/auth/logout', undefined, { token: user.token });
    expect(out.status).toBe(200);

    const refused = await me(user.token);
    expect([refused.status, refused.body.error.code]).toEqual([401, 'TOKEN_REVOKED']);
    expect(await ws.closed).toEqual({ code: 4003, reason: 'token_revoked' });
    expect(ws.messages.at(-1)).toMatchObject({ type: 'closing', reason: 'token_revoked' });
    // A ticket cannot be had for it either, and nobody else is affected.
    expect((await api.post('/api/sync/ticket', undefined, { token: user.token })).status).toBe(401);
    expect((await me(other.token)).status).toBe(200);

    const again = await login(user.username, PASSWORD);
    expect(again.status).toBe(200);
    expect((await me(again.body.data.token)).status).toBe(200);
  });

  it('changes a password: a wrong current one is named, the old tokens and password stop working, the new ones work', async () => {
    const user = await signUp(api, 'user');
    const wrong = await api.put('/api/users/password', { currentPassword: 'not it at all', newPassword: 'new horse battery' }, { token: user.token });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error).toMatchObject({ code: 'WRONG_PASSWORD', fields: [{ field: 'currentPassword' }] });
    const short = await api.put('/api/users/password', { currentPassword: PASSWORD, newPassword: 'short' }, { token: user.token });
    expect(short.status).toBe(400);
    expect(short.body.error.fields[0].field).toBe('newPassword');

    const changed = await api.put('/api/users/password', { currentPassword: PASSWORD, newPassword: 'new horse battery' }, { token: user.token });
    expect(changed.status).toBe(200);

    expect((await me(user.token)).status).toBe(401);
    expect((await me(changed.body.data.token)).status).toBe(200);
    expect((await login(user.username, PASSWORD)).status).toBe(401);
    expect((await login(user.username, 'new horse battery')).status).toBe(200);
  });

  it('reaches another gateway instance through the change feed', async () => {
    let other: ExtraGateway | undefined;
    try {
      other = await ripple.startExtraGateway();
      const otherApi = apiClient(other.url);
      const user = await signUp(api, 'user');
      expect((await otherApi.get('/api/users/me', { token: user.token })).status).toBe(200);
      const ws = track(wsClient(other.url, { token: user.token }));
      await connected(ws);

      expect((await api.post('/api/auth/logout', undefined, { token: user.token })).status).toBe(200);

      await eventually(async () => (await otherApi.get('/api/users/me', { token: user.token })).status === 401, { what: 'the other instance to refuse the token' });
      expect(await ws.closed).toEqual({ code: 4003, reason: 'token_revoked' });
    } finally {
      await other?.stop();
    }
  });
});

describe('privacy', () => {
  const PRIVATE = { phone: '+1 555 0100', address: '1 Private Lane' };

  it('shows another user the public part only, a related party the phone, the user and an admin everything', async () => {
    const owner = await signUp(api, 'pet_owner', { fullName: 'Olivia Owner', ...PRIVATE });
    const contact = await signUp(api, 'user', { fullName: 'Carl Contact', phone: '+1 222' });
    const vetUser = await signUp(api, 'veterinarian', { fullName: 'Vera Vet', phone: '+1 333' });
    const stranger = await signUp(api, 'user');
    const venue = await signUp(api, 'venue', { venueName: 'Elite Arena', venueLocation: 'Quito', venueEmail: 'box@arena.test', ...PRIVATE });
    const view = async (id: string, token: string) => (await api.get(`/api/users/${id}`, { token })).body.data;

    const seen = await view(owner.id, stranger.token);
    expect(seen).toMatchObject({ id: owner.id, username: owner.username, role: 'pet_owner', displayName: 'Olivia Owner', profileInfo: { fullName: 'Olivia Owner' } });
    expect(seen.email).toBeUndefined();
    expect(seen.profileInfo.phone).toBeUndefined();
    expect(seen.profileInfo.address).toBeUndefined();
    const business = await view(venue.id, stranger.token);
    expect(business.profileInfo).toEqual({ venueName: 'Elite Arena', venueLocation: 'Quito', venueEmail: 'box@arena.test' });
    expect(business.displayName).toBe('Elite Arena');

    expect((await view(owner.id, owner.token)).profileInfo).toMatchObject(PRIVATE);
    expect(await view(owner.id, admin)).toMatchObject({ email: `${owner.username}@example.test`, profileInfo: PRIVATE });

    // The owner names an emergency contact (once the pets service knows them): owner and contact may call each other.
    const pet = await created('/api/pets', { name: 'Rex', species: 'dog', emergencyContactUserId: contact.id }, owner.token);
    await eventually(async () => (await view(owner.id, contact.token)).profileInfo.phone === PRIVATE.phone, { what: 'the contact to see the owner\'s phone' });
    const byContact = await view(owner.id, contact.token);
    expect(byContact.email).toBeUndefined();
    expect(byContact.profileInfo.address).toBeUndefined();
    expect((await view(contact.id, owner.token)).profileInfo.phone).toBe('+1 222');

    // A vet is related to the pet's people once a health record links them to it.
    expect((await view(owner.id, vetUser.token)).profileInfo.phone).toBeUndefined();
    const vet = await created('/api/veterinarians', { name: 'Dr Vera', clinicName: 'Happy Paws', userId: vetUser.id }, owner.token);
    await created('/api/health-records', { petId: pet.id, vetId: vet.id, visitDate: '2026-01-10' }, owner.token);
    await eventually(async () => (await view(owner.id, vetUser.token)).profileInfo.phone === PRIVATE.phone, { what: 'the vet to see the owner\'s phone' });
    expect((await view(contact.id, vetUser.token)).profileInfo.phone).toBe('+1 222');

    expect((await view(owner.id, stranger.token)).profileInfo.phone).toBeUndefined();
    expect((await view(vetUser.id, stranger.token)).profileInfo.phone).toBeUndefined();
  });

  it('delivers a profile change with its private fields to the user and an admin only, and the contact copy to the pet\'s people', async () => {
    const owner = await signUp(api, 'pet_owner', { fullName: 'Olga Owner' });
    const contact = await signUp(api, 'user', { fullName: 'Cleo Contact', phone: '+1 700' });
    const stranger = await signUp(api, 'user');
    const streams = {
      owner: track(sseClient(ripple.url, { token: owner.token })),
      contact: track(sseClient(ripple.url, { token: contact.token })),
      stranger: track(sseClient(ripple.url, { token: stranger.token })),
      admin: track(sseClient(ripple.url, { token: admin })),
    };
    for (const s of Object.values(streams)) await connected(s);
    const pet = await created('/api/pets', { name: 'Bolt', species: 'dog', emergencyContactUserId: contact.id }, owner.token);

    expect((await api.put('/api/users/profile', { profileInfo: PRIVATE }, { token: owner.token })).status).toBe(200);
    expect((await api.put('/api/users/profile', { profileInfo: { phone: '+1 701' } }, { token: contact.token })).status).toBe(200);
    // The stranger's own change, after both: once it arrives, anything for them before it has too.
    expect((await api.put('/api/users/profile', { profileInfo: { bio: 'marker' } }, { token: stranger.token })).status).toBe(200);

    const ownerChange = (c: FeedClient) => c.changes().find((m) => m.recordId === owner.id && m.data.changes?.address);
    await eventually(async () => ownerChange(streams.owner) && ownerChange(streams.admin), { what: 'the owner\'s change' });
    expect(ownerChange(streams.owner).data.changes).toEqual(PRIVATE);
    expect(ownerChange(streams.admin).data.changes).toEqual(PRIVATE);
    // The owner sees the contact's new phone through the pet's copy, which is what their relation needs.
    await eventually(async () => streams.owner.changes().find((m) => m.recordId === pet.id && m.data.changes?.emergencyContactPhone === '+1 701'), { what: 'the contact copy' });

    await eventually(async () => streams.stranger.changes().find((m) => m.data.changes?.bio === 'marker'), { what: 'the stranger\'s marker' });
    expect(streams.stranger.changes().map((m) => m.recordId)).toEqual([stranger.id]);
    expect(JSON.stringify(streams.stranger.messages)).not.toContain(PRIVATE.phone);
    expect(streams.contact.changes().some((m) => m.recordId === owner.id)).toBe(false);
  });
});

// Last: the address's failures would throttle every later sign-in from this test run.
describe('sign-in throttling', () => {
  it('refuses an account after its failed sign-ins with 429 and Retry-After, the right password included, and no other account', async () => {
    const user = await signUp(api, 'user');
    const other = await signUp(api, 'user');
    for (let i = 0; i < 3; i++) expect((await login(user.username, 'wrong password')).status).toBe(401);

    const throttled = await login(user.username, PASSWORD);
    expect([throttled.status, throttled.body.error.code]).toEqual([429, 'LOGIN_THROTTLED']);
    const retryAfter = Number(throttled.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    // Its email names the same account.
    expect((await login(`${user.username}@example.test`, PASSWORD)).status).toBe(429);
    expect((await login(other.username, PASSWORD)).status).toBe(200);
  });

  it('refuses a client address that fails across many accounts', async () => {
    const user = await signUp(api, 'user');
    // Each name fails once (far below an account's limit of 3); the address reaches its limit of 12 with the earlier tests' failures.
    let status = 401;
    for (let i = 0; i < 12 && status === 401; i++) status = (await login(`nobody_${i}`, 'wrong password')).status;
    expect(status).toBe(429);

    const throttled = await login(user.username, PASSWORD);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
