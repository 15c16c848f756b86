import type { FeedReader, FeedRow } from './feed-reader';
import { FeedTail } from './feed-tail';

const row = (position: number): FeedRow =>
  ({ position, eventId: `e${position}`, changeType: 'user', tableName: 'users', recordId: 'r', eventType: 'X', operation: 'UPDATE', data: {}, occurredAt: '', recordedAt: new Date() });

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
});
