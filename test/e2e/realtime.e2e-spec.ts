/**
 * The realtime gateway with real clients: each user sees their own changes and
 * never another's, live and on resume (after a disconnect, a gateway restart,
 * and across two gateway instances), exactly once and in order.
 */
import { eventually } from '@ripple/testing';
import { apiClient, signUp, type ApiClient } from './support/http-client';
import { sseClient, type FeedClient } from './support/realtime-clients';
import { startRipple, type RunningRipple } from './support/ripple-processes';

let ripple: RunningRipple;
let api: ApiClient;
const open: FeedClient[] = [];

beforeAll(async () => {
  ripple = await startRipple({ SYNC_HEARTBEAT_MS: '500' });
  api = apiClient(ripple.url);
}, 90_000);

afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

afterAll(async () => {
  await ripple?.stop();
});

const connect = (opts: Parameters<typeof sseClient>[1], base = ripple.url) => {
  const client = sseClient(base, opts);
  open.push(client);
  return client;
};
const connected = (c: FeedClient) => eventually(async () => c.messages.find((m) => m.type === 'connected'), { what: 'connected' });
const bios = (c: FeedClient) => c.changes().map((m) => m.data.changes?.bio);
const setBio = async (token: string, bio: string, via: ApiClient = api) => expect((await via.put('/api/users/profile', { profileInfo: { bio } }, { token })).status).toBe(200);

describe('live delivery', () => {
  it('each user sees their own changes and never the other\'s', async () => {
    const alice = await signUp(api, 'user');
    const bob = await signUp(api, 'user');
    const a = connect({ token: alice.token });
    const b = connect({ token: bob.token });
    expect((await connected(a)).userId).toBe(alice.id);
    expect(a.messages[0].type).toBe('connected');
    await connected(b);

    await setBio(alice.token, 'alice 1');
    await setBio(bob.token, 'bob 1');
    await setBio(alice.token, 'alice 2');

    await eventually(async () => bios(a).length === 2 && bios(b).length === 1, { what: 'both feeds' });
    expect(bios(a)).toEqual(['alice 1', 'alice 2']);
    expect(bios(b)).toEqual(['bob 1']);
    expect(a.changes()[0]).toMatchObject({ changeType: 'user', tableName: 'users', recordId: alice.id, operation: 'UPDATE', eventType: 'UserProfileUpdated' });
    expect(typeof a.changes()[0].timestamp).toBe('number');
    expect(a.changes().every((m) => m.recordId === alice.id)).toBe(true);
    expect(b.changes().every((m) => m.recordId === bob.id)).toBe(true);
  });

  it('sends heartbeats', async () => {
    const u = await signUp(api, 'user');
    const c = connect({ token: u.token });
    await eventually(async () => c.messages.some((m) => m.type === 'heartbeat'), { what: 'heartbeat' });
  });

  it('an admin sees everyone\'s changes', async () => {
    const adminLogin = await api.post('/api/auth/login', { username: 'admin', password: 'ripple-admin-dev-password' });
    const admin = connect({ token: adminLogin.body.data.token });
    await connected(admin);
    const u = await signUp(api, 'user');
    await setBio(u.token, 'seen by admin');
    await eventually(async () => bios(admin).includes('seen by admin'), { what: 'admin sees it' });
  });
});

describe('resume', () => {
  const resumeAfterGap = async (makeGap: (user: { token: string }) => Promise<void>, resumeBase = () => ripple.url, first = () => ripple.url) => {
    const user = await signUp(api, 'user');
    const before = connect({ token: user.token }, first());
    await connected(before);
    await setBio(user.token, 'b1');
    await eventually(async () => bios(before).length === 1, { what: 'first change' });
    const cursor = before.lastCursor()!;
    before.close();

    await makeGap(user);

    const after = connect({ token: user.token, lastEventId: cursor }, resumeBase());
    await eventually(async () => bios(after).length === 4, { what: 'missed changes' });
    await setBio(user.token, 'b5');
    await eventually(async () => bios(after).length === 5, { what: 'live after resume' });
    return after;
  };

  it('a client disconnected while changes happen gets each of them once, in order, then live', async () => {
    const after = await resumeAfterGap(async (u) => {
      for (const b of ['b2', 'b3', 'b4', 'b4b']) await setBio(u.token, b);
    });
    expect(bios(after)).toEqual(['b2', 'b3', 'b4', 'b4b', 'b5']);
    expect(after.messages.find((m) => m.type === 'connected').resumed).toBe(true);
    expect(after.messages.some((m) => m.type === 'reset')).toBe(false);
  });

  it('resumes across a gateway restart', async () => {
    const direct = apiClient(`http://127.0.0.1:${ripple.ports.profiles}`);
    const after = await resumeAfterGap(async (u) => {
      await ripple.stopApp('gateway');
      for (const b of ['b2', 'b3', 'b4', 'b4b']) await setBio(u.token, b, direct);
      await ripple.startApp('gateway');
    });
    expect(bios(after)).toEqual(['b2', 'b3', 'b4', 'b4b', 'b5']);
  });

  it('resumes on another gateway instance, and both instances deliver live', async () => {
    const second = await ripple.startExtraGateway();
    try {
      const after = await resumeAfterGap(
        async (u) => {
          for (const b of ['b2', 'b3', 'b4', 'b4b']) await setBio(u.token, b);
        },
        () => ripple.url,
        () => second.url,
      );
      expect(bios(after)).toEqual(['b2', 'b3', 'b4', 'b4b', 'b5']);
    } finally {
      await second.stop();
    }
  });
});
