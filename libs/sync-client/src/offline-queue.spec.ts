import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OfflineQueue } from './offline-queue.js';
import { FileQueueStore, type PersistedState, type QueueStore } from './queue-store.js';

const put = (bio: string) => ({ method: 'PUT' as const, path: '/api/users/profile', body: { profileInfo: { bio } } });

describe('OfflineQueue persistence', () => {
  it('keeps every overlapping change (cursor moves and enqueues) in its file, without failing a save', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ripple-queue-'));
    const file = join(dir, 'queue.json');
    const queue = new OfflineQueue(new FileQueueStore(file));
    await queue.load();
    // A live feed moves the cursor while the app queues edits: none of these awaits the others.
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => queue.setCursor(`c${i}`)),
      ...Array.from({ length: 5 }, (_, i) => queue.enqueue(put(`edit ${i}`))),
    ]);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as PersistedState;
    expect(saved.cursor).toBe('c19');
    expect(saved.operations.map((o) => (o.body as any).profileInfo.bio)).toEqual(['edit 0', 'edit 1', 'edit 2', 'edit 3', 'edit 4']);
    expect(readdirSync(dir)).toEqual(['queue.json']);
    expect((await new OfflineQueue(new FileQueueStore(file)).load()).cursor).toBe('c19');
  });

  it('never runs two saves at once, and a change made during a save is written by the next one before its promise resolves', async () => {
    const writes: PersistedState[] = [];
    let running = 0;
    let overlapped = false;
    const store: QueueStore = {
      load: async () => ({ operations: [] }),
      save: async (state) => {
        overlapped ||= ++running > 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        writes.push(structuredClone(state));
        running--;
      },
    };
    const queue = new OfflineQueue(store);
    const first = queue.setCursor('a');
    const later = [queue.setCursor('b'), queue.setCursor('c')];
    await first;
    await Promise.all(later);
    expect(overlapped).toBe(false);
    expect(writes.at(-1)?.cursor).toBe('c');
    // The first save plus one for the two changes made while it ran.
    expect(writes.length).toBe(2);
  });
});
