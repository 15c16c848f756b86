/**
 * @jest-environment ./test/e2e/support/jsdom-with-node-fetch.environment.js
 *
 * The React SDK (`@ripple/sync-client/react`) in a jsdom page, against Ripple
 * running as processes: every hook reads the gateway's REST API and SSE feed
 * as a browser app would.
 */
import { act, renderHook, waitFor, type RenderHookResult } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyProfileChanges, type ProfileChanges } from '@ripple/contracts';
import { ApiError, FileQueueStore, MemoryQueueStore, register, signIn, SyncClient, type DataChange, type QueueStore } from '@ripple/sync-client';
import {
  SyncProvider, useBatchSync, useConnectorRun, useFailedOperations, useForceSync, useLiveList, useLiveRecord, useMutation, useSyncStatus,
} from '@ripple/sync-client/react';
import { signUp } from './support/http-client';
import { startConnectorsWorld, type ConnectorsWorld } from './support/connectors';

let w: ConnectorsWorld;

beforeAll(async () => {
  w = await startConnectorsWorld(120);
}, 120_000);

afterAll(async () => {
  await w?.stop();
});

const SLOW = { timeout: 20_000 };

/**
 * The page's network: it can be cut (open streams drop, requests fail), can
 * lose the answer to a PUT the server did get, and counts the requests made.
 */
function pageNetwork() {
  const net = { online: true, loseAnswerOfPut: 0, puts: 0, gets: [] as string[], keys: [] as string[] };
  const streams = new Set<AbortController>();
  const fetchVia: typeof fetch = async (input, init) => {
    if (!net.online) throw new TypeError('network is down');
    const url = String(input);
    if (url.endsWith('/api/sync/events')) {
      const cut = new AbortController();
      streams.add(cut);
      init?.signal?.addEventListener('abort', () => cut.abort());
      return fetch(input, { ...init, signal: cut.signal });
    }
    if ((init?.method ?? 'GET') === 'GET') net.gets.push(new URL(url).pathname + new URL(url).search);
    const res = await fetch(input, init);
    if (init?.method === 'PUT') {
      net.keys.push((init.headers as Record<string, string>)['idempotency-key']);
      if (++net.puts === net.loseAnswerOfPut) throw new TypeError('connection reset before the answer arrived');
    }
    return res;
  };
  const goOffline = () => {
    net.online = false;
    for (const s of streams) s.abort();
    streams.clear();
  };
  return { net, fetchVia, goOffline };
}

type Page = ReturnType<typeof pageNetwork>;

function clientFor(user: { id: string; token: string }, page: Page, store: QueueStore = new MemoryQueueStore()) {
  return new SyncClient({ baseUrl: w.ripple.url, userId: user.id, getToken: () => user.token, store, fetch: page.fetchVia, backoff: { baseMs: 50, maxMs: 200 } });
}

function render<T>(client: SyncClient, hook: () => T, autoStart = true): RenderHookResult<T, unknown> {
  const wrapper = ({ children }: { children: ReactNode }) => createElement(SyncProvider, { client, autoStart }, children);
  return renderHook(hook, { wrapper });
}

async function unmount(view: RenderHookResult<unknown, unknown>, client: SyncClient) {
  view.unmount();
  await client.stop();
}

const adminUser = { id: '0190f5d2-0000-7000-8000-00000000a0a0', get token() { return w.admin; } };

describe('useSyncStatus and useMutation', () => {
  it('shows live → offline with the queue growing → live once the queued edit is sent once, in one stable snapshot per change', async () => {
    const user = await signUp(w.api, 'user');
    const page = pageNetwork();
    const client = clientFor(user, page);
    const view = render(client, () => ({ status: useSyncStatus(), save: useMutation<{ version: number; profileInfo: { bio?: string } }>() }));
    await waitFor(() => expect(view.result.current.status.state).toBe('live'), SLOW);
    const before = view.result.current.status;
    view.rerender();
    expect(view.result.current.status).toBe(before);
    expect(before).toMatchObject({ queueSize: 0, failedCount: 0 });
    const version = (await w.api.get('/api/users/me', { token: user.token })).body.data.version as number;

    act(() => page.goOffline());
    await waitFor(() => expect(view.result.current.status.state).toBe('offline'), SLOW);
    await act(() => view.result.current.save.mutate({ method: 'PUT', path: '/api/users/profile', body: { profileInfo: { bio: 'written offline' } } }));
    expect(view.result.current.status.queueSize).toBe(1);
    expect(view.result.current.save.status).toBe('queued');

    // Back online, the first answer is lost: the queue sends the edit again with the same Idempotency-Key.
    page.net.loseAnswerOfPut = 1;
    page.net.online = true;
    await waitFor(() => expect(view.result.current.save.status).toBe('sent'), SLOW);
    expect(view.result.current.status).toMatchObject({ state: 'live', queueSize: 0, failedCount: 0 });
    expect(view.result.current.save.result).toMatchObject({ version: version + 1, profileInfo: { bio: 'written offline' } });
    expect(page.net.keys).toHaveLength(2);
    expect(page.net.keys[1]).toBe(page.net.keys[0]);
    expect((await w.api.get('/api/users/me', { token: user.token })).body.data.version).toBe(version + 1);
    await unmount(view, client);
  });

  it("follows the browser's offline and online events: drops the stream at once, and reconnects without waiting out the backoff", async () => {
    const user = await signUp(w.api, 'user');
    const page = pageNetwork();
    // A backoff far longer than the wait below: only the online event can bring the client back in time.
    const client = new SyncClient({ baseUrl: w.ripple.url, userId: user.id, getToken: () => user.token, fetch: page.fetchVia, backoff: { baseMs: 600_000, maxMs: 600_000 } });
    const view = render(client, () => useSyncStatus());
    await waitFor(() => expect(view.result.current.state).toBe('live'), SLOW);

    // The stream is still open as far as the network goes: only the event says the device is offline.
    act(() => void window.dispatchEvent(new Event('offline')));
    await waitFor(() => expect(view.result.current.state).toBe('offline'), SLOW);
    act(() => void window.dispatchEvent(new Event('online')));
    await waitFor(() => expect(view.result.current.state).toBe('live'), SLOW);
    await unmount(view, client);
  });

  it('surfaces a conflict with the server state, then sends the edit resolved last-writer-wins', async () => {
    const user = await signUp(w.api, 'user');
    const page = pageNetwork();
    const client = clientFor(user, page);
    const view = render(client, () => useMutation());
    const stale = (await w.api.get('/api/users/me', { token: user.token })).body.data.version as number;
    await w.api.put('/api/users/profile', { profileInfo: { fullName: 'Other Device' } }, { token: user.token });

    await act(() => view.result.current.mutate({ method: 'PUT', path: '/api/users/profile', body: { profileInfo: { bio: 'mine' }, expectedVersion: stale }, statePath: '/api/users/me' }));
    await waitFor(() => expect(view.result.current.status).toBe('sent'), SLOW);
    expect(view.result.current.conflicts).toHaveLength(1);
    expect(view.result.current.conflicts[0]).toMatchObject({
      error: { code: 'VERSION_CONFLICT', expectedVersion: stale }, serverState: { version: stale + 1, profileInfo: { fullName: 'Other Device' } }, resolution: 'retry',
    });
    expect(view.result.current.result).toMatchObject({ version: stale + 2, profileInfo: { fullName: 'Other Device', bio: 'mine' } });
    await unmount(view, client);
  });
});

describe('useFailedOperations', () => {
  it('lists a refused edit across a reload, sends it again on retry, and clears it', async () => {
    const user = await signUp(w.api, 'user');
    const dir = mkdtempSync(join(tmpdir(), 'ripple-react-'));
    const page = pageNetwork();
    const bad = { method: 'PUT' as const, path: '/api/users/profile', body: { profileInfo: { galleraActiveRoosters: 'many' } } };

    const first = clientFor(user, page, new FileQueueStore(dir));
    const before = render(first, () => ({ failed: useFailedOperations(), status: useSyncStatus(), save: useMutation() }));
    await waitFor(() => expect(before.result.current.status.state).toBe('live'), SLOW);
    await act(() => before.result.current.save.mutate(bad));
    await waitFor(() => expect(before.result.current.status.failedCount).toBe(1), SLOW);
    expect(before.result.current.save).toMatchObject({ status: 'failed', error: { status: 400, code: 'VALIDATION_FAILED' } });
    await unmount(before, first);

    // The page reloads: the refused edit is still listed.
    const second = clientFor(user, page, new FileQueueStore(dir));
    const after = render(second, () => ({ failed: useFailedOperations(), status: useSyncStatus() }));
    await waitFor(() => expect(after.result.current.status.state).toBe('live'), SLOW);
    const [listed] = after.result.current.failed.failed;
    expect(listed).toMatchObject({ status: 400, operation: { body: bad.body } });

    const putsBefore = page.net.puts;
    await act(() => after.result.current.failed.retry(listed.operation.id));
    await waitFor(() => expect(page.net.puts).toBe(putsBefore + 1), SLOW);
    await waitFor(() => expect(after.result.current.failed.failed).toHaveLength(1), SLOW);
    expect(after.result.current.failed.failed[0].failedAt).toBeGreaterThanOrEqual(listed.failedAt);
    expect(page.net.keys.at(-1)).not.toBe(listed.operation.idempotencyKey);

    await act(() => after.result.current.failed.clearAll());
    expect(after.result.current.status).toMatchObject({ failedCount: 0, queueSize: 0 });
    await unmount(after, second);
    expect((await new FileQueueStore(dir).load(user.id)).failed).toEqual([]);
  });
});

describe('useLiveRecord', () => {
  it('merges the feed into the REST snapshot by version: older changes skipped, the next one applied, a reset refetched', async () => {
    const user = await signUp(w.api, 'user');
    const store = new MemoryQueueStore();
    const page = pageNetwork();
    // A first session leaves a cursor behind; then two edits happen while the page is closed.
    const earlier = clientFor(user, page, store);
    await earlier.start();
    await waitFor(() => expect(earlier.status().state).toBe('live'), SLOW);
    await earlier.stop();
    await w.api.put('/api/users/profile', { profileInfo: { bio: 'one' } }, { token: user.token });
    await w.api.put('/api/users/profile', { profileInfo: { bio: 'two' } }, { token: user.token });

    const applied: number[] = [];
    const apply = (record: { profileInfo: Record<string, unknown> }, change: DataChange) => {
      applied.push(change.version);
      return { ...record, profileInfo: applyProfileChanges(record.profileInfo, (change.data as { changes: ProfileChanges }).changes) };
    };
    const client = clientFor(user, page, store);
    const view = render(client, () => useLiveRecord<{ id: string; version: number; profileInfo: Record<string, unknown> }>('user', user.id, { apply }), false);
    await waitFor(() => expect(view.result.current.data?.profileInfo.bio).toBe('two'), SLOW);
    const snapshot = view.result.current.data!.version;
    const reads = () => page.net.gets.filter((p) => p === `/api/users/${user.id}`).length;
    expect(reads()).toBe(1);

    // The client resumes behind the snapshot: both edits arrive again and are already in it.
    const seen: number[] = [];
    client.on('user', (c) => seen.push(c.version));
    await act(() => client.start());
    await waitFor(() => expect(seen).toEqual([snapshot - 1, snapshot]), SLOW);
    expect(applied).toEqual([]);
    expect(view.result.current.data!.version).toBe(snapshot);

    await w.api.put('/api/users/profile', { profileInfo: { bio: 'three' } }, { token: user.token });
    await waitFor(() => expect(view.result.current.data).toMatchObject({ version: snapshot + 1, profileInfo: { bio: 'three' } }), SLOW);
    expect(applied).toEqual([snapshot + 1]);
    expect(reads()).toBe(1);
    await unmount(view, client);

    // A cursor the server cannot resume (here: forged) gets `reset`: the record is read again.
    await store.save({ ...(await store.load(user.id)), cursor: 'forged-cursor' });
    const again = clientFor(user, page, store);
    const resetView = render(again, () => useLiveRecord<{ id: string; version: number }>('user', user.id));
    await waitFor(() => expect(reads()).toBe(3), SLOW);
    expect(resetView.result.current.data!.version).toBe(snapshot + 1);
    await unmount(resetView, again);
  });
});

describe('useLiveList', () => {
  it('adds the record that starts matching and follows its changes, fetching the list only when the feed says so', async () => {
    const owner = await signUp(w.api, 'venue', { fullName: 'Ada' });
    const page = pageNetwork();
    const client = clientFor(owner, page);
    const view = render(client, () => useLiveList<{ id: string; version: number; name: string; ownerId: string }>('venue', { ownerId: owner.id }));
    await waitFor(() => expect(view.result.current.data).toEqual([]), SLOW);
    await waitFor(() => expect(client.status().state).toBe('live'), SLOW);
    const listReads = () => page.net.gets.filter((p) => p === `/api/venues?ownerId=${owner.id}`).length;
    expect(listReads()).toBe(1);
    // The same filter by value, in a new object: the same list, no new read.
    view.rerender();
    expect(listReads()).toBe(1);

    await w.api.put('/api/users/profile', { profileInfo: { venueName: 'Elite Arena', venueLocation: 'Quito' } }, { token: owner.token });
    await waitFor(() => expect(view.result.current.data).toMatchObject([{ name: 'Elite Arena', version: 1, ownerId: owner.id }]), SLOW);
    await w.api.put('/api/users/profile', { profileInfo: { venueName: 'Elite Arena II' } }, { token: owner.token });
    await waitFor(() => expect(view.result.current.data).toMatchObject([{ name: 'Elite Arena II', version: 2 }]), SLOW);
    expect(listReads()).toBe(3);
    await unmount(view, client);
  });
});

describe('useForceSync and useBatchSync', () => {
  it('force-syncs one pet, then runs a batch and a full sync with progress up to the total', async () => {
    const owner = await signUp(w.api, 'pet_owner', { fullName: 'Pat', phone: '+1 555 0101' });
    const pet = (await w.api.post('/api/pets', { name: 'Rex', species: 'dog', weightKg: 10 }, { token: owner.token })).body.data;
    const page = pageNetwork();
    const client = clientFor(owner, page);
    const batchSeen: number[] = [];
    const view = render(client, () => {
      const force = useForceSync({ pollMs: 50 });
      const batch = useBatchSync({ pollMs: 50 });
      if (batch.batchProgress) batchSeen.push(batch.batchProgress.completed);
      return { force, batch };
    });

    let forced: Awaited<ReturnType<typeof view.result.current.force.forceSync>> | undefined;
    await act(async () => void (forced = await view.result.current.force.forceSync('pet_data', pet.id)));
    expect(forced).toMatchObject({ type: 'pet_data', targetId: pet.id });
    expect(view.result.current.force).toMatchObject({ loading: false, result: forced, progress: { completed: 1, total: 1, percentage: 100 } });

    const operations = [{ type: 'user_profile' as const, targetId: owner.id, label: 'Profile' }, { type: 'pet_data' as const, targetId: pet.id, label: 'Rex' }];
    // Not awaited inside act: each reading renders as it comes, as in a page.
    let batchDone!: Promise<unknown>;
    act(() => void (batchDone = view.result.current.batch.executeBatchSync(operations)));
    await waitFor(() => expect(view.result.current.batch.loading).toBe(false), SLOW);
    await act(() => batchDone);
    expect(view.result.current.batch).toMatchObject({ loading: false, job: { status: 'completed', total: 2 }, batchProgress: { completed: 2, total: 2, failed: 0, percentage: 100 } });
    expect(batchSeen[0]).toBe(0);
    expect(batchSeen).toEqual([...batchSeen].sort());

    await act(async () => void (await view.result.current.force.forceSyncAll()));
    expect(view.result.current.force.job).toMatchObject({ kind: 'full', status: 'completed' });
    expect(view.result.current.force.progress).toMatchObject({ percentage: 100 });
    expect(view.result.current.force.progress!.total).toBeGreaterThanOrEqual(2);

    // A bad target is the server's 400, named, not a crash.
    await act(async () => void (await view.result.current.force.forceSync('pet_data', 'not-a-uuid').catch(() => undefined)));
    expect(view.result.current.force.error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    await unmount(view, client);
  });
});

describe('useConnectorRun', () => {
  it("follows a catalog import's entities, in dependency order, to the end", async () => {
    const page = pageNetwork();
    const client = clientFor(adminUser, page);
    const started = await client.api<{ id: string }>('POST', '/api/connectors/nowrepblue/runs');
    const seen: string[] = [];
    const view = render(client, () => {
      const run = useConnectorRun(started.id, { pollMs: 50 });
      if (run.status) seen.push(run.status);
      return run;
    });
    await waitFor(() => expect(view.result.current.status).toBe('succeeded'), SLOW);
    const { entities } = view.result.current;
    expect(entities.length).toBeGreaterThan(1);
    expect(entities.map((e) => e.level)).toEqual([...entities.map((e) => e.level)].sort((a, b) => a - b));
    for (const e of entities) expect(e).toMatchObject({ status: 'transformed', progress: { percentage: 100 } });
    expect(entities.find((e) => e.entity === 'talents')!.progress.total).toBe(120);
    expect(seen.at(-1)).toBe('succeeded');
    await unmount(view, client);
  });
});

describe('signIn and register', () => {
  it('registers and signs in a user, and turns each refusal into an ApiError naming the code and the fields', async () => {
    const username = `sdk_${Date.now().toString(36)}`;
    const user = await register(w.ripple.url, { username, email: `${username}@example.test`, password: 'long enough pw', role: 'venue', profileInfo: { venueName: 'SDK Hall' } });
    expect(user).toMatchObject({ username, role: 'venue' });
    const session = await signIn(w.ripple.url, { username, password: 'long enough pw' });
    expect(session.user.id).toBe(user.id);
    const me = await new SyncClient({ baseUrl: w.ripple.url, userId: user.id, getToken: () => session.token }).api<{ id: string }>('GET', '/api/users/me');
    expect(me.id).toBe(user.id);

    const wrong = await signIn(w.ripple.url, { username, password: 'not the password' }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ApiError);
    expect(wrong).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
    const bad = await register(w.ripple.url, { username: 'a', email: 'nope', password: 'short', role: 'venue' }).catch((e: unknown) => e as ApiError);
    expect(bad).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((bad as ApiError).fields!.map((f) => f.field).sort()).toEqual(['email', 'password', 'username']);
  });
});
