import { LiveList } from './live-list.js';
import { LiveRecord } from './live-record.js';
import type { DataChange } from './messages.js';
import type { SyncClient } from './sync-client.js';

type Pet = { id: string; version: number; name: string };

/** The two things a live view uses of a client: its feed and its REST reads (answered from `server`, counted). */
function feedAndRest(server: { answers: unknown[] }) {
  const handlers = new Set<(c: DataChange) => void>();
  const resets = new Set<() => void>();
  const reads: string[] = [];
  const client = {
    on: (_type: string, h: (c: DataChange) => void) => (handlers.add(h), () => handlers.delete(h)),
    onReset: (l: () => void) => (resets.add(l), () => resets.delete(l)),
    api: async (_m: string, path: string) => {
      reads.push(path);
      const next = server.answers.length > 1 ? server.answers.shift() : server.answers[0];
      if (next instanceof Error) throw next;
      return structuredClone(next);
    },
  } as unknown as SyncClient;
  const emit = (c: Partial<DataChange>) => handlers.forEach((h) => h({ operation: 'UPDATE', recordId: 'p1', data: {}, ...c } as DataChange));
  const reset = () => resets.forEach((l) => l());
  return { client, emit, reset, reads };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const rename = (p: Pet, c: DataChange) => ({ ...p, name: (c.data as { name: string }).name });

describe('LiveRecord', () => {
  it('skips changes it holds, applies the next one, fetches on a gap, a truncation or a reset, and never goes back', async () => {
    const server = { answers: [{ id: 'p1', version: 2, name: 'Rex' }] as unknown[] };
    const { client, emit, reset, reads } = feedAndRest(server);
    const live = new LiveRecord<Pet>(client, 'pet', 'p1', { apply: rename });
    const off = live.subscribe(() => undefined);
    await settle();
    expect(live.getSnapshot().data).toEqual({ id: 'p1', version: 2, name: 'Rex' });

    emit({ version: 2, data: { name: 'old news' } });
    emit({ version: 1, data: { name: 'older news' } });
    emit({ recordId: 'p2', version: 3, data: { name: 'another pet' } });
    emit({ version: 3, data: { name: 'Max' } });
    expect(live.getSnapshot().data).toEqual({ id: 'p1', version: 3, name: 'Max' });
    expect(reads).toEqual(['/api/pets/p1']);

    // The server answers with an older state than the one held (a lagging read): it is not taken.
    server.answers = [{ id: 'p1', version: 2, name: 'Rex' }];
    reset();
    await settle();
    expect(live.getSnapshot().data).toEqual({ id: 'p1', version: 3, name: 'Max' });

    server.answers = [{ id: 'p1', version: 5, name: 'Bo' }];
    emit({ version: 5, data: { name: 'Bo' } });
    await settle();
    expect(live.getSnapshot().data).toMatchObject({ version: 5, name: 'Bo' });
    server.answers = [{ id: 'p1', version: 6, name: 'Bo, in full' }];
    emit({ version: 6, data: null, truncated: true });
    await settle();
    expect(live.getSnapshot().data).toMatchObject({ version: 6, name: 'Bo, in full' });
    expect(reads).toHaveLength(4);

    emit({ version: 7, operation: 'DELETE' });
    expect(live.getSnapshot().data).toBeNull();
    emit({ version: 6, data: { name: 'late' } });
    expect(live.getSnapshot().data).toBeNull();
    off();
  });

  it('reads again while the answer is behind a change the feed announced, a few times at most', async () => {
    const server = { answers: [{ id: 'p1', version: 1, name: 'a' }, { id: 'p1', version: 1, name: 'a' }, { id: 'p1', version: 2, name: 'b' }] as unknown[] };
    const { client, emit, reads } = feedAndRest(server);
    const live = new LiveRecord<Pet>(client, 'pet', 'p1');
    live.subscribe(() => undefined);
    emit({ version: 2 });
    await settle();
    await settle();
    expect(live.getSnapshot().data).toMatchObject({ version: 2, name: 'b' });
    expect(reads).toHaveLength(3);
  });

  it('shows a missing record as null with the error', async () => {
    const { client } = feedAndRest({ answers: [Object.assign(new Error('not found'), { status: 404 })] });
    const live = new LiveRecord<Pet>(client, 'pet', 'p1');
    live.subscribe(() => undefined);
    await settle();
    expect(live.getSnapshot()).toMatchObject({ data: null, loading: false, error: { status: 404 } });
  });
});

describe('LiveList', () => {
  it('removes a deleted record, fetches for one it does not hold, and keeps a held record newer than the fetched one', async () => {
    const server = { answers: [[{ id: 'p1', version: 1, name: 'Rex' }, { id: 'p2', version: 1, name: 'Bo' }]] as unknown[] };
    const { client, emit, reads } = feedAndRest(server);
    const list = new LiveList<Pet>(client, 'pet', { ownerId: 'u1' }, { apply: rename });
    list.subscribe(() => undefined);
    await settle();
    expect(reads).toEqual(['/api/pets?ownerId=u1']);

    emit({ recordId: 'p1', version: 2, data: { name: 'Max' } });
    emit({ recordId: 'p2', version: 2, operation: 'DELETE' });
    expect(list.getSnapshot().data).toEqual([{ id: 'p1', version: 2, name: 'Max' }]);

    server.answers = [[{ id: 'p1', version: 1, name: 'Rex' }, { id: 'p3', version: 1, name: 'Kit' }]];
    emit({ recordId: 'p3', version: 1, operation: 'INSERT' });
    await settle();
    expect(list.getSnapshot().data).toEqual([{ id: 'p1', version: 2, name: 'Max' }, { id: 'p3', version: 1, name: 'Kit' }]);
    expect(reads).toHaveLength(2);
  });
});
