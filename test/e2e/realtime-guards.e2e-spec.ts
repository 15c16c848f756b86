/**
 * The realtime gateway's edges: WebSocket, tickets, polling, and everything it
 * must refuse or bound (bad tokens, reused tickets, forged or foreign cursors,
 * foreign origins, oversized messages, too many connections, slow readers).
 */
import { connect as tcpConnect } from 'node:net';
import { signToken } from '@ripple/auth';
import { eventually } from '@ripple/testing';
import { apiClient, signUp, type ApiClient } from './support/http-client';
import { parseSse, sseClient, wsClient, type FeedClient } from './support/realtime-clients';
import { startRipple, type RunningRipple } from './support/ripple-processes';

const SECRET = 'e2e-secret-at-least-16-chars';
let ripple: RunningRipple;
let api: ApiClient;
const open: FeedClient[] = [];

beforeAll(async () => {
  ripple = await startRipple({ SYNC_SEND_QUEUE_BYTES: '65536', SYNC_SLOW_CONSUMER_MS: '1000', SYNC_MAX_CONNECTIONS_PER_USER: '3', SYNC_ALLOWED_ORIGINS: 'https://app.ripple.test', SYNC_WS_MAX_INBOUND_BYTES: '1024' });
  api = apiClient(ripple.url);
}, 90_000);

afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

afterAll(async () => {
  await ripple?.stop();
});

const track = <T extends FeedClient>(c: T) => (open.push(c), c);
const connected = (c: FeedClient) => eventually(async () => c.messages.find((m) => m.type === 'connected'), { what: 'connected' });
const setBio = async (token: string, bio: string) => expect((await api.put('/api/users/profile', { profileInfo: { bio } }, { token })).status).toBe(200);
const bios = (c: FeedClient) => c.changes().map((m) => m.data.changes?.bio);
const events = (query: string, headers: Record<string, string> = {}) => fetch(`${ripple.url}/api/sync/events${query}`, { headers });

describe('WebSocket', () => {
  it('delivers the same messages, and resumes from a cursor', async () => {
    const user = await signUp(api, 'user');
    const ws = track(wsClient(ripple.url, { token: user.token }));
    await connected(ws);
    await setBio(user.token, 'w1');
    await eventually(async () => bios(ws).length === 1, { what: 'live change' });
    expect(ws.changes()[0]).toMatchObject({ type: 'data_change', changeType: 'user', recordId: user.id, operation: 'UPDATE' });
    const cursor = ws.changes()[0].id;
    ws.close();

    await setBio(user.token, 'w2');
    await setBio(user.token, 'w3');
    const resumed = track(wsClient(ripple.url, { token: user.token, query: `since=${cursor}` }));
    await eventually(async () => bios(resumed).length === 2, { what: 'missed changes' });
    expect(bios(resumed)).toEqual(['w2', 'w3']);
  });

  it('refuses a foreign Origin before the handshake, and accepts an allowed one', async () => {
    const user = await signUp(api, 'user');
    expect(await wsClient(ripple.url, { token: user.token, origin: 'https://evil.test' }).refused).toBe(403);
    await connected(track(wsClient(ripple.url, { token: user.token, origin: 'https://app.ripple.test' })));
  });

  it('refuses a missing or bad token, and closes on an oversized or unexpected message', async () => {
    expect(await wsClient(ripple.url, {}).refused).toBe(401);
    expect(await wsClient(ripple.url, { token: 'not.a.token' }).refused).toBe(401);
    const user = await signUp(api, 'user');
    const big = track(wsClient(ripple.url, { token: user.token }));
    await connected(big);
    big.socket.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(5000) }));
    expect((await big.closed).code).toBe(1009);
    const odd = track(wsClient(ripple.url, { token: user.token }));
    await connected(odd);
    odd.socket.send('{"type":"subscribe-to-everyone"}');
    expect((await odd.closed).code).toBe(1003);
  });
});

describe('authentication', () => {
  it.each([
    ['no credentials', () => events(''), 401, 'AUTH_REQUIRED'],
    ['a forged token', () => events('', { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' }), 401, 'INVALID_TOKEN'],
    ['an expired token', () => events('', { authorization: `Bearer ${signToken({ sub: '0190a3c2-0000-7000-8000-000000000001', role: 'user', username: 'x' }, SECRET, 60, Date.now() - 3_600_000)}` }), 401, 'TOKEN_EXPIRED'],
    ['a token in the URL', () => events('?token=abc'), 400, 'TOKEN_IN_URL_REFUSED'],
    ['an unknown ticket', () => events('?ticket=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'), 401, 'INVALID_TICKET'],
  ])('refuses %s', async (_what, send, status, code) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect((await res.json()).error.code).toBe(code);
  });

  it('a ticket opens one stream, once', async () => {
    const user = await signUp(api, 'user');
    const issued = await api.post('/api/sync/ticket', undefined, { token: user.token });
    expect(issued.status).toBe(201);
    const { ticket } = issued.body.data;
    const first = track(sseClient(ripple.url, { query: `ticket=${ticket}` }));
    expect((await connected(first)).userId).toBe(user.id);
    const again = await events(`?ticket=${ticket}`);
    expect(again.status).toBe(401);
    expect((await again.json()).error.code).toBe('INVALID_TICKET');
  });

  it('closes an open stream when its token expires', async () => {
    const user = await signUp(api, 'user');
    const shortLived = signToken({ sub: user.id, role: 'user', username: user.username }, SECRET, 2);
    const c = track(sseClient(ripple.url, { token: shortLived }));
    await connected(c);
    const closing = await eventually(async () => c.messages.find((m) => m.type === 'closing'), { what: 'expiry', timeoutMs: 10_000 });
    expect(closing.reason).toBe('token_expired');
  });

  it('bounds connections per user', async () => {
    const user = await signUp(api, 'user');
    for (let i = 0; i < 3; i++) await connected(track(sseClient(ripple.url, { token: user.token })));
    const fourth = await events('', { authorization: `Bearer ${user.token}` });
    expect(fourth.status).toBe(429);
    expect((await fourth.json()).error.code).toBe('TOO_MANY_CONNECTIONS');
  });
});

describe('cursors', () => {
  it('answers a forged or another user\'s Last-Event-ID with a reset and nothing of theirs', async () => {
    const alice = await signUp(api, 'user');
    const bob = await signUp(api, 'user');
    const b = track(sseClient(ripple.url, { token: bob.token }));
    await connected(b);
    await setBio(bob.token, 'bob secret');
    await eventually(async () => b.changes().length === 1, { what: 'bob change' });

    for (const lastEventId of [b.lastCursor()!, 'forged-cursor-value']) {
      const a = track(sseClient(ripple.url, { token: alice.token, lastEventId }));
      const reset = await eventually(async () => a.messages.find((m) => m.type === 'reset'), { what: 'reset' });
      expect(reset.reason).toBe('cursor_invalid');
      expect(a.messages[0]).toMatchObject({ type: 'connected', userId: alice.id, resumed: false });
      await setBio(alice.token, `alice after ${lastEventId.slice(0, 5)}`);
      await eventually(async () => a.changes().length === 1, { what: 'alice live after reset' });
      expect(a.changes().every((m) => m.recordId === alice.id)).toBe(true);
      a.close();
    }
    const polled = await api.get(`/api/sync/changes?since=${b.lastCursor()}`, { token: alice.token });
    expect(polled.status).toBe(410);
    expect(polled.body.error).toMatchObject({ code: 'CURSOR_RESET', reason: 'cursor_invalid' });
  });

  it('pages through the feed for polling clients', async () => {
    const user = await signUp(api, 'user');
    for (const bio of ['p1', 'p2', 'p3']) await setBio(user.token, bio);
    const page = async (since?: string) => (await api.get(`/api/sync/changes?limit=2${since ? `&since=${since}` : ''}`, { token: user.token })).body.data;
    const first = await eventually(async () => ((await page()).changes.length === 2 ? page() : undefined), { what: 'first page' });
    expect(first.hasMore).toBe(true);
    const second = await eventually(async () => ((await page(first.nextCursor)).changes.length === 2 ? page(first.nextCursor) : undefined), { what: 'second page' });
    const all = [...first.changes, ...second.changes];
    expect(all.map((c) => c.eventType)).toEqual(['UserRegistered', 'UserProfileUpdated', 'UserProfileUpdated', 'UserProfileUpdated']);
    expect(all.slice(1).map((c) => c.data.changes.bio)).toEqual(['p1', 'p2', 'p3']);
    expect((await api.get('/api/sync/changes?limit=0', { token: user.token })).status).toBe(400);
  });
});

describe('slow consumers', () => {
  it('cuts a reader that stops reading, with its cursor, and it resumes with nothing lost or repeated', async () => {
    const user = await signUp(api, 'user');
    const socket = tcpConnect(Number(new URL(ripple.url).port), '127.0.0.1');
    const chunks: Buffer[] = [];
    let ended = false;
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', () => (ended = true));
    socket.write(`GET /api/sync/events HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${user.token}\r\naccept: text/event-stream\r\n\r\n`);
    await eventually(async () => Buffer.concat(chunks).toString().includes('"connected"'), { what: 'connected' });
    socket.pause();

    // Writes until the gateway gives up on this reader: how much the kernel buffers first varies by machine.
    const dropped = async () => /ripple_sync_slow_consumers_dropped_total\{[^}]*transport="sse"[^}]*\} [1-9]/.test(await (await fetch(`${ripple.url}/metrics`)).text());
    let total = 0;
    while (!(await dropped())) {
      expect(total).toBeLessThan(3000);
      for (let i = 0; i < 20; i++, total++) {
        const fill = (n: number) => `${total}:${'x'.repeat(n)}`;
        const res = await api.put('/api/users/profile', { profileInfo: { bio: fill(1990), venueDescription: fill(1990), galleraDescription: fill(1990), address: fill(490) } }, { token: user.token });
        expect(res.status).toBe(200);
      }
    }
    socket.resume();
    await eventually(async () => ended, { what: 'stream end', timeoutMs: 30_000 });

    const body = Buffer.concat(chunks).toString();
    const got = parseSse(body.slice(body.indexOf('\r\n\r\n') + 4).replace(/\r\n[0-9a-f]+\r\n/g, ''));
    const closing = got.find((m) => m.type === 'closing');
    expect(closing.reason).toBe('slow_consumer');
    const numberOf = (m: any) => Number(m.data.changes.bio.split(':')[0]);
    const before = got.filter((m) => m.type === 'data_change').map(numberOf);
    expect(before.length).toBeLessThan(total);

    const resumed = track(sseClient(ripple.url, { token: user.token, lastEventId: closing.cursor }));
    await eventually(async () => before.length + resumed.changes().length === total, { what: 'the rest', timeoutMs: 30_000 });
    const after = resumed.changes().map(numberOf);
    expect([...before, ...after]).toEqual(Array.from({ length: total }, (_, i) => i));
  }, 180_000);
});
