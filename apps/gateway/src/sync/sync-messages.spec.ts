import type { FeedRow } from '../feed/feed-reader';
import { ChangeFrames, dataChangeOf, Frame, type SyncMessage } from './sync-messages';

/** How each transport wrote a message before frames were shared: the reference the bytes must still match. */
const sseOf = (m: SyncMessage) => `${'cursor' in m && m.type !== 'closing' ? `id: ${m.cursor}\n` : ''}data: ${JSON.stringify(m)}\n\n`;
const wsOf = (m: SyncMessage) => JSON.stringify({ ...m, ...('cursor' in m && m.type !== 'closing' ? { id: m.cursor } : {}) });

const row = (position: number, data: unknown): FeedRow => ({
  position, eventId: `e${position}`, changeType: 'pet', tableName: 'pets', recordId: 'r1', aggregateVersion: position, eventType: 'PetUpdated', operation: 'UPDATE', data,
  occurredAt: '2026-11-22T10:00:00.000Z', recordedAt: new Date(),
});

describe('Frame', () => {
  it.each<[string, SyncMessage]>([
    ['connected', { type: 'connected', userId: 'u1', cursor: 'c-1_x', resumed: true, heartbeatMs: 30000, timestamp: 1 }],
    ['reset', { type: 'reset', reason: 'cursor_invalid', cursor: 'c2', timestamp: 2 }],
    ['heartbeat', { type: 'heartbeat', timestamp: 3 }],
    ['closing (its cursor is no resume id)', { type: 'closing', reason: 'slow_consumer', cursor: 'c3', timestamp: 4 }],
    ['error', { type: 'error', code: 'X', message: 'quote " and ünïcode', timestamp: 5 }],
    ['data_change', { ...dataChangeOf(row(7, { changes: { name: 'Rex "the dog" ✓' } }), 1000), cursor: 'c7' }],
  ])('encodes %s exactly as each transport did before', (_what, message) => {
    const frame = Frame.of(message);
    expect(frame.type).toBe(message.type);
    expect(frame.sse.toString()).toBe(sseOf(message));
    expect(frame.ws.toString()).toBe(wsOf(message));
  });

  it.each([
    ['small data', { changes: { weightKg: 12, note: 'multi\nline "quoted" ü' } }, 65536],
    ['data over the limit (truncated)', { changes: { note: 'x'.repeat(100) } }, 50],
    ['no data', null, 100],
  ])('builds a data_change from the shared change JSON and a cursor, byte for byte: %s', (_what, data, maxDataBytes) => {
    const change = dataChangeOf(row(9, data), maxDataBytes);
    const frame = Frame.dataChange(JSON.stringify(change), 'cur-9');
    expect(frame.sse.toString()).toBe(sseOf({ ...change, cursor: 'cur-9' }));
    expect(frame.ws.toString()).toBe(wsOf({ ...change, cursor: 'cur-9' }));
  });
});

describe('dataChangeOf', () => {
  it("carries the aggregate's version, truncated or not, so a client can merge it into a REST snapshot", () => {
    expect(dataChangeOf({ ...row(7, { changes: {} }), aggregateVersion: 4 }, 1000)).toMatchObject({ recordId: 'r1', version: 4 });
    expect(dataChangeOf({ ...row(8, { changes: { note: 'x'.repeat(100) } }), aggregateVersion: 5 }, 10)).toMatchObject({ version: 5, truncated: true, data: null });
  });
});

describe('ChangeFrames', () => {
  it('makes one frame, with one cursor, per change and user, however many connections ask', () => {
    const issued: string[] = [];
    const frames = new ChangeFrames(65536, (userId, position) => {
      issued.push(`${userId}@${position}`);
      return `cursor-${userId}-${position}-${issued.length}`;
    });
    const r = row(5, { changes: { bio: 'hi' } });
    const alice = Array.from({ length: 1000 }, () => frames.frame('alice', r));
    const bob = frames.frame('bob', r);
    expect(new Set(alice).size).toBe(1);
    expect(issued).toEqual(['alice@5', 'bob@5']);
    expect(bob).not.toBe(alice[0]);
    expect(bob.sse.toString()).toBe(sseOf({ ...dataChangeOf(r, 65536), cursor: 'cursor-bob-5-2' }));
    expect(frames.frame('alice', row(6, {}))).not.toBe(alice[0]);
  });
});
