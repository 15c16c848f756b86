import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OperationOutcome } from './messages.js';
import { OfflineQueue } from './offline-queue.js';
import { FileQueueStore, MemoryQueueStore, type PersistedState, type QueueStore } from './queue-store.js';

const put = (bio: string) => ({ method: 'PUT' as const, path: '/api/users/profile', body: { profileInfo: { bio } } });
const bios = (s: PersistedState) => s.operations.map((o) => (o.body as any).profileInfo.bio);

/** A store that records every save and can hold one until released. */
function recordingStore() {
  const writes: PersistedState[] = [];
  const waiting: (() => void)[] = [];
  let running = 0;
  let overlapped = false;
  const store: QueueStore = {
    load: async (userId) => ({ userId, operations: [], failed: [] }),
    save: async (state) => {
      overlapped ||= ++running > 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      writes.push(structuredClone(state));
      running--;
      waiting.splice(0).forEach((w) => w());
    },
  };
  return { store, writes, overlapped: () => overlapped, nextWrite: () => new Promise<void>((r) => waiting.push(r)) };
}

describe('OfflineQueue persistence', () => {
  it('keeps every overlapping change (cursor moves and enqueues) in its file, without failing a save', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ripple-queue-'));
    const queue = new OfflineQueue(new FileQueueStore(dir), 'u1');
    await queue.load();
    // A live feed moves the cursor while the app queues edits: none of these awaits the others.
    const moves = Array.from({ length: 20 }, (_, i) => i);
    await Promise.all([
      ...moves.map(async (i) => queue.setCursor(`c${i}`)),
      ...Array.from({ length: 5 }, (_, i) => queue.enqueue(put(`edit ${i}`))),
    ]);
    await queue.close();
    const saved = JSON.parse(readFileSync(join(dir, 'queue-u1.json'), 'utf8')) as PersistedState;
    expect(saved.cursor).toBe('c19');
    expect(bios(saved)).toEqual(['edit 0', 'edit 1', 'edit 2', 'edit 3', 'edit 4']);
    expect(readdirSync(dir)).toEqual(['queue-u1.json']);
    expect((await new OfflineQueue(new FileQueueStore(dir), 'u1').load()).cursor).toBe('c19');
  });

  it('never runs two saves at once, and a change made during a save is written by the next one before its promise resolves', async () => {
    const { store, writes, overlapped } = recordingStore();
    const queue = new OfflineQueue(store, 'u1');
    const first = queue.enqueue(put('a'));
    const later = [queue.enqueue(put('b')), queue.enqueue(put('c'))];
    await first;
    await Promise.all(later);
    expect(overlapped()).toBe(false);
    expect(bios(writes.at(-1)!)).toEqual(['a', 'b', 'c']);
    // The first save plus one for the two changes made while it ran.
    expect(writes.length).toBe(2);
  });

  it('saves a burst of cursor moves as one write, after the batch delay or on close, never once per move', async () => {
    const { store, writes, nextWrite } = recordingStore();
    const queue = new OfflineQueue(store, 'u1');
    const written = nextWrite();
    for (let i = 0; i < 100; i++) queue.setCursor(`c${i}`);
    expect(writes).toEqual([]);
    await written;
    expect(writes.map((w) => w.cursor)).toEqual(['c99']);

    for (let i = 100; i < 200; i++) queue.setCursor(`c${i}`);
    await queue.close();
    expect(writes.map((w) => w.cursor)).toEqual(['c99', 'c199']);
  });
});

describe('OfflineQueue ownership and failures', () => {
  it("is one user's: another user on the same device loads their own (empty) queue, and a file under the wrong name is not taken", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ripple-queue-'));
    const alice = new OfflineQueue(new FileQueueStore(dir), 'alice');
    await alice.load();
    await alice.enqueue(put('alice edit'));
    expect((await new OfflineQueue(new FileQueueStore(dir), 'bob').load()).operations).toEqual([]);
    expect(bios(await new OfflineQueue(new FileQueueStore(dir), 'alice').load())).toEqual(['alice edit']);

    // Alice's file copied under Bob's name (a restored backup, a bug) still names Alice: Bob gets nothing of it.
    copyFileSync(join(dir, 'queue-alice.json'), join(dir, 'queue-bob.json'));
    expect((await new OfflineQueue(new FileQueueStore(dir), 'bob').load()).operations).toEqual([]);
  });

  it('keeps refused operations across a reload, and retries (with a new Idempotency-Key) or clears them', async () => {
    const store = new MemoryQueueStore();
    const outcomes: OperationOutcome[] = [];
    const queue = new OfflineQueue(store, 'u1', { settled: (o) => outcomes.push(o) });
    await queue.load();
    const bad = await queue.enqueue(put('refused'));
    await queue.enqueue(put('fine'));
    const sent: string[] = [];
    const statusOf = (bio: string) => (bio === 'refused' ? 422 : 200);
    const send = async (op: { body?: unknown; idempotencyKey: string }) => {
      sent.push(op.idempotencyKey);
      return { status: statusOf((op.body as any).profileInfo.bio), body: { error: { code: 'VALIDATION_FAILED' } } };
    };
    expect(await queue.flush(send, async () => ({ drop: true }))).toBe(true);
    expect(outcomes.map((o) => o.kind)).toEqual(['failed', 'sent']);

    const reloaded = new OfflineQueue(store, 'u1');
    await reloaded.load();
    expect(reloaded.size).toBe(0);
    expect(reloaded.failed).toEqual([{ operation: bad, status: 422, body: { error: { code: 'VALIDATION_FAILED' } }, failedAt: expect.any(Number) }]);

    expect(await reloaded.retryFailed(bad.id)).toBe(1);
    expect(reloaded.failed).toEqual([]);
    expect(reloaded.size).toBe(1);
    await reloaded.flush(send, async () => ({ drop: true }));
    expect(sent[2]).not.toBe(bad.idempotencyKey);
    expect(reloaded.failed.map((f) => f.operation.id)).toEqual([bad.id]);

    expect(await reloaded.clearFailed()).toBe(1);
    expect((await store.load('u1')).failed).toEqual([]);
  });
});
