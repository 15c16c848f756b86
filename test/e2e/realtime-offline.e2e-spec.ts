/**
 * The sync client against the running stack: commands queued while offline
 * survive a restart (file store), reach the server once each when it comes
 * back (even when an answer is lost and the command retried), a conflict is
 * surfaced with the server's state and resolved last-writer-wins, and the
 * client sees every change live, typed by change type.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@ripple/testing';
import { FileQueueStore, SyncClient, lastWriterWins, type Conflict, type DataChange } from '@ripple/sync-client';
import { apiClient, signUp, type ApiClient } from './support/http-client';
import { startRipple, type RunningRipple } from './support/ripple-processes';

let ripple: RunningRipple;
let api: ApiClient;

beforeAll(async () => {
  ripple = await startRipple();
  api = apiClient(ripple.url);
}, 90_000);

afterAll(async () => {
  await ripple?.stop();
});

/** A network the test can cut, and that can lose the answer to a request the server did receive. */
function flakyNetwork() {
  const net = { online: true, loseAnswerOfPut: 0, puts: 0 };
  const fetchVia: typeof fetch = async (input, init) => {
    if (!net.online) throw new TypeError('network is down');
    const res = await fetch(input, init);
    if (init?.method === 'PUT' && ++net.puts === net.loseAnswerOfPut) throw new TypeError('connection reset before the answer arrived');
    return res;
  };
  return { net, fetchVia };
}

type Changes = { user: { changes?: { bio?: string } } };

it('queues edits offline, sends each once after reconnecting, and surfaces a conflict', async () => {
  const user = await signUp(api, 'user');
  const dir = mkdtempSync(join(tmpdir(), 'ripple-sync-'));
  const { net, fetchVia } = flakyNetwork();
  const conflicts: Conflict[] = [];
  const make = () => new SyncClient<Changes>({
    baseUrl: ripple.url, userId: user.id, getToken: () => user.token, store: new FileQueueStore(dir), fetch: fetchVia, backoff: { baseMs: 100, maxMs: 400 },
    onConflict: (c) => (conflicts.push(c), lastWriterWins(c)),
  });

  const first = make();
  await first.start();
  await eventually(async () => first.status().state === 'live', { what: 'live' });
  const version = (await api.get('/api/users/me', { token: user.token })).body.data.version as number;

  net.online = false;
  await first.send({ method: 'PUT', path: '/api/users/profile', body: { profileInfo: { bio: 'offline 1' }, expectedVersion: version }, statePath: '/api/users/me' });
  await first.send({ method: 'PUT', path: '/api/users/profile', body: { profileInfo: { bio: 'offline 2' } } });
  await first.send({ method: 'PUT', path: '/api/users/profile', body: { profileInfo: { phone: '+1 555 0100' } } });
  await eventually(async () => first.status().state === 'offline', { what: 'offline' });
  expect(first.status().queueSize).toBe(3);
  await first.stop();

  // Meanwhile another device edits the same profile: the first queued edit is now stale.
  expect((await api.put('/api/users/profile', { profileInfo: { fullName: 'Other Device' } }, { token: user.token })).status).toBe(200);

  // The app restarts with the network back. PUTs: the stale edit (409), its last-writer-wins retry, then
  // the second edit, whose answer is lost after the server applied it: the client retries it with the same key.
  net.online = true;
  net.puts = 0;
  net.loseAnswerOfPut = 3;
  const second = make();
  const seen: DataChange<Changes['user']>[] = [];
  // Under load the registration itself may reach the feed after the first client connected: count edits only.
  second.on('user', (c) => c.eventType === 'UserProfileUpdated' && seen.push(c));
  await second.start();
  try {
    await eventually(async () => second.status().queueSize === 0 && second.status().state === 'live', { what: 'queue flushed', timeoutMs: 20_000 });

    expect(conflicts).toHaveLength(1);
    expect(conflicts[0].error).toMatchObject({ code: 'VERSION_CONFLICT', expectedVersion: version });
    expect(conflicts[0].serverState).toMatchObject({ version: version + 1, profileInfo: { fullName: 'Other Device' } });
    expect(second.status().failed).toEqual([]);

    const me = (await api.get('/api/users/me', { token: user.token })).body.data;
    expect(me.profileInfo).toMatchObject({ fullName: 'Other Device', bio: 'offline 2', phone: '+1 555 0100' });
    // Registration, the other device, then each queued edit exactly once.
    expect(me.version).toBe(version + 4);
    await eventually(async () => seen.length === 4, { what: 'the edits, live' });
    expect(seen.map((c) => c.data.changes?.bio ?? null)).toEqual([null, 'offline 1', 'offline 2', null]);
    // Each change carries the profile's version after it, as GET /api/users/me does.
    expect(seen.map((c) => c.version)).toEqual([version + 1, version + 2, version + 3, version + 4]);
    expect(net.puts).toBe(5);
  } finally {
    await second.stop();
  }
});

it("keeps a queue to its user: another user signed in on the same device never sends it", async () => {
  const [alice, bob] = [await signUp(api, 'user'), await signUp(api, 'user')];
  const dir = mkdtempSync(join(tmpdir(), 'ripple-sync-'));
  const { net, fetchVia } = flakyNetwork();
  const client = (userId: string, token: string) =>
    new SyncClient({ baseUrl: ripple.url, userId, getToken: () => token, store: new FileQueueStore(dir), fetch: fetchVia, backoff: { baseMs: 100, maxMs: 400 } });
  const bioOf = async (u: { token: string }) => (await api.get('/api/users/me', { token: u.token })).body.data.profileInfo.bio;

  net.online = false;
  const offline = client(alice.id, alice.token);
  await offline.start();
  await offline.send({ method: 'PUT', path: '/api/users/profile', body: { profileInfo: { bio: 'alice, offline' } } });
  await offline.stop();
  net.online = true;

  // Bob signs in on the same device: his queue is his own, and empty.
  const bobs = client(bob.id, bob.token);
  await bobs.start();
  await eventually(async () => bobs.status().state === 'live', { what: "bob's client live" });
  expect(bobs.status().queueSize).toBe(0);
  await bobs.stop();
  // An app that wires Alice's queue to Bob's token is refused by the feed (it names Bob) and sends nothing.
  const mixed = client(alice.id, bob.token);
  const states: string[] = [];
  mixed.onStatus((s) => states.push(s.state));
  await mixed.start();
  await eventually(async () => states.filter((s) => s === 'offline').length >= 2, { what: 'the mixed client to be refused twice' });
  await mixed.stop();
  expect(states).not.toContain('live');
  expect(net.puts).toBe(0);
  expect(await bioOf(bob)).toBeUndefined();
  expect(await bioOf(alice)).toBeUndefined();

  // Alice comes back: her edit goes out, once.
  const alices = client(alice.id, alice.token);
  await alices.start();
  await eventually(async () => alices.status().queueSize === 0 && alices.status().state === 'live', { what: "alice's queue flushed" });
  await alices.stop();
  expect(await bioOf(alice)).toBe('alice, offline');
  expect(net.puts).toBe(1);
});

it('profiles apply a retried command with the same Idempotency-Key once, and refuse the key for another command', async () => {
  const user = await signUp(api, 'user');
  const put = (bio: string, key: string) => api.put('/api/users/profile', { profileInfo: { bio } }, { token: user.token, headers: { 'idempotency-key': key } });
  const once = await put('once', 'key-0001-abc');
  const again = await put('once', 'key-0001-abc');
  expect(again.status).toBe(200);
  expect(again.headers.get('idempotent-replayed')).toBe('true');
  expect(again.body.data.version).toBe(once.body.data.version);
  expect((await put('other', 'key-0001-abc')).status).toBe(422);
  expect((await api.get('/api/users/me', { token: user.token })).body.data.version).toBe(once.body.data.version);
});

it('profiles merge concurrent updates of one user, each once, and apply concurrent retries of one key once', async () => {
  const user = await signUp(api, 'user');
  const start = (await api.get('/api/users/me', { token: user.token })).body.data.version;
  const fields = ['bio', 'phone', 'fullName', 'address', 'businessName', 'venueName'];
  const answers = await Promise.all(fields.map((f) => api.put('/api/users/profile', { profileInfo: { [f]: `${f}-value` } }, { token: user.token })));
  expect(answers.map((a) => a.status)).toEqual(fields.map(() => 200));
  expect(new Set(answers.map((a) => a.body.data.version)).size).toBe(fields.length);
  const me = (await api.get('/api/users/me', { token: user.token })).body.data;
  expect(me.version).toBe(start + fields.length);
  for (const f of fields) expect(me.profileInfo[f]).toBe(`${f}-value`);

  const retries = await Promise.all(Array.from({ length: 5 }, () => api.put('/api/users/profile', { profileInfo: { bio: 'retried' } }, { token: user.token, headers: { 'idempotency-key': 'key-race-0001' } })));
  expect(retries.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
  expect(new Set(retries.map((r) => r.body.data.version))).toEqual(new Set([start + fields.length + 1]));
  expect((await api.get('/api/users/me', { token: user.token })).body.data.version).toBe(start + fields.length + 1);
});
