/**
 * The change feed keeps a window: through the gateway, a client whose cursor is
 * older than the window is told to reload (`reset` too_old) instead of resuming
 * past a gap, one inside it resumes with nothing missing, and the feed's and the
 * streams' sizes are on /metrics.
 */
import { eventually } from '@ripple/testing';
import { apiClient, signUp, type ApiClient } from './support/http-client';
import { sseClient, type FeedClient } from './support/realtime-clients';
import { startRipple, type RunningRipple } from './support/ripple-processes';

const WINDOW = 5;
let ripple: RunningRipple;
let api: ApiClient;
const open: FeedClient[] = [];

beforeAll(async () => {
  ripple = await startRipple({ SYNC_FEED_MAX_CHANGES: String(WINDOW), SYNC_FEED_PRUNE_MS: '200', PIPELINE_CHECK_MS: '1000' });
  api = apiClient(ripple.url);
}, 90_000);

afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

afterAll(async () => {
  await ripple?.stop();
});

const track = <T extends FeedClient>(c: T) => (open.push(c), c);
const setBio = async (token: string, bio: string) => expect((await api.put('/api/users/profile', { profileInfo: { bio } }, { token })).status).toBe(200);
const bios = (c: FeedClient) => c.changes().map((m) => m.data.changes?.bio);

it('resets a cursor older than the window (too_old) and resumes one inside it', async () => {
  const user = await signUp(api, 'user');
  // Cursors as a polling client gets them (a live client would race a window this small).
  const cursorOf = (bio: string) =>
    eventually(async () => {
      const res = await api.get('/api/sync/changes?limit=1000', { token: user.token });
      return res.body.data?.changes?.find((c: any) => c.data.changes?.bio === bio)?.cursor as string | undefined;
    }, { what: `the change ${bio} on the feed` });
  await setBio(user.token, 'b1');
  const old = await cursorOf('b1');
  for (let i = 2; i <= 10; i++) await setBio(user.token, `b${i}`);
  const b10 = await cursorOf('b10');

  // Polling from b1 is refused once the window has moved past it: 410, reset too_old, and where to continue.
  const refused = await eventually(async () => {
    const res = await api.get(`/api/sync/changes?since=${old}`, { token: user.token });
    return res.status === 410 && res;
  }, { what: 'the feed pruned past b1' });
  expect(refused.body.error).toMatchObject({ code: 'CURSOR_RESET', reason: 'too_old' });

  // The reset continues from the head: b10 is already before it.
  const stale = track(sseClient(ripple.url, { token: user.token, lastEventId: old }));
  const reset = await eventually(async () => stale.messages.find((m) => m.type === 'reset'), { what: 'reset' });
  expect(reset.reason).toBe('too_old');
  expect(bios(stale)).toEqual([]);
  // Inside the window: resumes exactly after the cursor.
  const recent = track(sseClient(ripple.url, { token: user.token, lastEventId: b10 }));
  await eventually(async () => recent.messages.some((m) => m.type === 'connected'), { what: 'resumed' });

  await setBio(user.token, 'b11');
  await eventually(async () => bios(stale).length === 1 && bios(recent).length === 1, { what: 'b11 live on both' });
  expect(bios(stale)).toEqual(['b11']);
  expect(bios(recent)).toEqual(['b11']);
  expect(recent.messages.some((m) => m.type === 'reset')).toBe(false);
});

it('reports the feed\'s and the streams\' sizes as metrics', async () => {
  // The window is back to its size once a prune has run after the last change.
  const gateway = await eventually(async () => {
    const text = await (await fetch(`${ripple.url}/metrics`)).text();
    const windowSize = Number(/^ripple_feed_changes\{[^}]*\} (\d+)$/m.exec(text)?.[1]);
    return windowSize > 0 && windowSize <= WINDOW && text;
  }, { what: 'the feed window at its size' });
  expect(gateway).toMatch(/^ripple_feed_bytes\{[^}]*\} [1-9]\d*$/m);
  const stream = `${ripple.namespace}_PROFILES`;
  const profiles = await eventually(async () => {
    const text = await (await fetch(`http://127.0.0.1:${ripple.ports.profiles}/metrics`)).text();
    return new RegExp(`^ripple_stream_messages\\{[^}]*stream="${stream}"[^}]*\\} [1-9]`, 'm').test(text) && text;
  }, { what: 'PROFILES stream size on the profiles service' });
  expect(profiles).toMatch(new RegExp(`^ripple_stream_bytes\\{[^}]*stream="${stream}"[^}]*\\} [1-9]`, 'm'));
});
