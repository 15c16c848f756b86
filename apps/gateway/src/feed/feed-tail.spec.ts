import type { FeedReader, FeedRow } from './feed-reader';
import { FeedTail, GAP_WAIT_MS } from './feed-tail';

const row = (position: number): FeedRow =>
  ({ position, eventId: `e${position}`, changeType: 'user', tableName: 'users', recordId: 'r', aggregateVersion: 1, eventType: 'X', operation: 'UPDATE', data: {}, occurredAt: '', recordedAt: new Date() });

/** A feed of `committed` changes; change n is for user `u${n % 2}`. */
function fakeReader(committed: { n: number }): FeedReader {
  return {
    head: async () => 0,
    readAll: async (after: number, limit: number) =>
      Array.from({ length: Math.max(0, Math.min(committed.n - after, limit)) }, (_, i) => after + i + 1).map((p) => ({ row: row(p), audience: [`u${p % 2}`] })),
  } as unknown as FeedReader;
}

describe('FeedTail', () => {
  it('serves each caught-up user their own new changes from one read, and moves them to the head', async () => {
    const committed = { n: 0 };
    const tail = new FeedTail(fakeReader(committed), 100, 3);
    await tail.advance();
    committed.n = 7;
    await tail.advance();
    expect(tail.position).toBe(7);
    expect(tail.slice('u1', false, 0)).toEqual({ rows: [row(1), row(3), row(5), row(7)].map((r) => ({ ...r, recordedAt: expect.any(Date) })), upTo: 7 });
    expect(tail.slice('u0', false, 4)!.rows.map((r) => r.position)).toEqual([6]);
    expect(tail.slice('admin', true, 5)!.rows.map((r) => r.position)).toEqual([6, 7]);
  });

  it('sends a session behind its retained rows to the database', async () => {
    const committed = { n: 0 };
    const tail = new FeedTail(fakeReader(committed), 4, 10);
    expect(tail.slice('u1', false, 0)).toBeUndefined();
    await tail.advance();
    committed.n = 10;
    await tail.advance();
    expect(tail.slice('u1', false, 5)).toBeUndefined();
    expect(tail.slice('u1', false, 6)!.rows.map((r) => r.position)).toEqual([7, 9]);
  });

  it('finds the changes after any position, with gaps between positions, among many retained rows', async () => {
    // Positions 3, 6, 9, ... up to 3000; change p is for u${p % 2}.
    const reader = {
      head: async () => 0,
      readAll: async (after: number, limit: number) => {
        const from = Math.floor(after / 3) + 1;
        return Array.from({ length: Math.max(0, Math.min(1000 - from + 1, limit)) }, (_, i) => 3 * (from + i)).map((p) => ({ row: row(p), audience: [`u${p % 2}`] }));
      },
    } as unknown as FeedReader;
    const tail = new FeedTail(reader, 5000, 100);
    await tail.advance();
    expect(tail.position).toBe(3000);
    const positions = (user: string, admin: boolean, after: number) => tail.slice(user, admin, after)!.rows.map((r) => r.position);
    expect(positions('u0', false, 2989)).toEqual([2994, 3000]);
    expect(positions('u0', false, 2994)).toEqual([3000]);
    expect(positions('u1', false, 2990)).toEqual([2991, 2997]);
    expect(positions('admin', true, 2992)).toEqual([2994, 2997, 3000]);
    expect(positions('admin', true, 0)).toHaveLength(1000);
    expect(positions('admin', true, 3)[0]).toBe(6);
    expect(tail.slice('u0', false, 3000)).toEqual({ rows: [], upTo: 3000 });
    expect(tail.slice('u0', false, 3100)).toEqual({ rows: [], upTo: 3100 });
  });

  it('says who the changes after a position are for, while it holds them all', async () => {
    const committed = { n: 0 };
    const tail = new FeedTail(fakeReader(committed), 4, 10);
    await tail.advance();
    committed.n = 7;
    await tail.advance();
    expect(tail.changedSince(5)).toEqual({ from: 5, to: 7, users: new Set(['u0', 'u1']) });
    expect(tail.changedSince(6)).toEqual({ from: 6, to: 7, users: new Set(['u1']) });
    expect(tail.changedSince(7)).toEqual({ from: 7, to: 7, users: new Set() });
    expect(tail.changedSince(2)).toBeUndefined();
  });

  it('answers announcements made while a read waits for its turn with that one read', async () => {
    let release!: () => void;
    let reads = 0;
    const reader = {
      head: async () => 0,
      readAll: async () => {
        reads++;
        if (reads === 1) await new Promise<void>((resolve) => (release = resolve));
        return [];
      },
    } as unknown as FeedReader;
    const tail = new FeedTail(reader);
    const first = tail.advance();
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toBe(1);
    const waiting = [tail.advance(), tail.advance(), tail.advance()];
    expect(new Set(waiting).size).toBe(1);
    expect(waiting[0]).not.toBe(first);
    release();
    await Promise.all([first, ...waiting]);
    expect(reads).toBe(2);
    await tail.advance();
    expect(reads).toBe(3);
  });

  /** A tail over `committed` changes, with the reads it makes counted and the rows it takes recorded in order. */
  function offering() {
    const committed = { n: 0 };
    const counts = { reads: 0, gaps: 0 };
    const reader = fakeReader(committed);
    const readAll = reader.readAll.bind(reader);
    reader.readAll = async (after: number, limit: number) => (counts.reads++, readAll(after, limit));
    const taken: number[] = [];
    const tail = new FeedTail(reader, 100, 10, (r) => taken.push(r.position));
    tail.onGap(() => {
      counts.gaps++;
      void tail.advance();
    });
    const written = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ row: row(from + i), audience: [`u${(from + i) % 2}`] }));
    return { committed, counts, tail, taken, written };
  }

  /** The same, after its first read (an empty feed), with nothing counted yet. */
  async function caughtUp() {
    const t = offering();
    await t.tail.advance();
    t.counts.reads = 0;
    return t;
  }

  it('takes rows its instance committed without a read when they follow its head', async () => {
    const { committed, counts, tail, taken, written } = offering();
    // Before its first read the tail knows no head: it must read.
    expect(tail.offer(written(1, 1), 0)).toBe(false);
    await tail.advance();
    counts.reads = 0;
    committed.n = 3;
    expect(tail.offer(written(1, 3), 0)).toBe(true);
    expect(tail.position).toBe(3);
    expect(tail.slice('u1', false, 0)!.rows.map((r) => r.position)).toEqual([1, 3]);
    expect(taken).toEqual([1, 2, 3]);
    expect(counts.reads).toBe(0);
  });

  it('holds rows offered before the rows ahead of them, and takes both, in order, without a read', async () => {
    const { committed, counts, tail, taken, written } = await caughtUp();
    committed.n = 7;
    // Two commits whose answers came in the reverse order of their commits.
    expect(tail.offer(written(6, 7), 5)).toBe(true);
    expect(tail.position).toBe(0);
    expect(tail.offer(written(4, 5), 3)).toBe(true);
    expect(tail.position).toBe(0);
    expect(tail.offer(written(1, 3), 0)).toBe(true);
    expect(tail.position).toBe(7);
    expect(taken).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await new Promise((resolve) => setTimeout(resolve, GAP_WAIT_MS + 10));
    expect(counts).toEqual({ reads: 0, gaps: 0 });
  });

  it('reads when rows stay ahead of its head (another instance wrote in between) for GAP_WAIT_MS', async () => {
    const { committed, counts, tail, taken, written } = await caughtUp();
    committed.n = 7;
    // Another instance wrote 1 to 5.
    expect(tail.offer(written(6, 7), 5)).toBe(true);
    expect(tail.position).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, GAP_WAIT_MS + 10));
    expect(counts).toEqual({ reads: 1, gaps: 1 });
    expect(tail.position).toBe(7);
    expect(taken).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('takes rows offered during a read after it: those it brought once, the rest without another read', async () => {
    const { committed, counts, tail, taken, written } = await caughtUp();
    committed.n = 3;
    const reading = tail.advance();
    // Committed before the read's snapshot: it brings them.
    expect(tail.offer(written(1, 3), 0)).toBe(true);
    // Committed after it: taken once it ends.
    expect(tail.offer(written(4, 5), 3)).toBe(true);
    await reading;
    expect(tail.position).toBe(5);
    expect(taken).toEqual([1, 2, 3, 4, 5]);
    // Rows a read already brought, offered late.
    expect(tail.offer(written(4, 5), 3)).toBe(true);
    expect(taken).toEqual([1, 2, 3, 4, 5]);
    await new Promise((resolve) => setTimeout(resolve, GAP_WAIT_MS + 10));
    expect(counts).toEqual({ reads: 1, gaps: 0 });
  });

  it('forgets what it held when a read fails: the next read brings it', async () => {
    const { committed, counts, tail, taken, written } = await caughtUp();
    const reader = (tail as unknown as { reader: FeedReader }).reader;
    const readAll = reader.readAll;
    reader.readAll = async () => {
      throw new Error('database unreachable');
    };
    const reading = tail.advance();
    expect(tail.offer(written(3, 3), 2)).toBe(true);
    await expect(reading).rejects.toThrow('database unreachable');
    reader.readAll = readAll;
    await new Promise((resolve) => setTimeout(resolve, GAP_WAIT_MS + 10));
    expect(counts.gaps).toBe(0);
    committed.n = 3;
    await tail.advance();
    expect(taken).toEqual([1, 2, 3]);
  });
});
