import { Registry } from 'prom-client';
import type { JsonLogger, RippleMetrics } from '@ripple/observability';
import { CursorCodec } from '../feed/feed-cursor';
import { FeedCursors } from '../feed/feed-cursors';
import type { FeedReader, FeedRow } from '../feed/feed-reader';
import { FeedTail } from '../feed/feed-tail';
import { SyncHub } from './sync-hub';
import { dataChangeOf, type CloseReason, type Frame } from './sync-messages';
import { SyncSession, type SessionLimits, type SyncSink } from './sync-session';
import { SyncMetrics } from './sync.metrics';

const SECRET = 'session-spec-secret-0123';
const EPOCH = 'epoch-1';
const codec = new CursorCodec(SECRET);

class FakeSink implements SyncSink {
  readonly transport = 'sse' as const;
  readonly frames: Frame[] = [];
  queued = 0;
  ended?: CloseReason | 'without reason';
  send(frame: Frame): void {
    this.frames.push(frame);
  }
  queuedBytes(): number {
    return this.queued;
  }
  end(reason?: CloseReason): void {
    this.ended = reason ?? 'without reason';
  }
  messages(): any[] {
    return this.frames.map((f) => JSON.parse(f.ws.toString()));
  }
  changes(): any[] {
    return this.messages().filter((m) => m.type === 'data_change');
  }
}

const hubs: SyncHub[] = [];

/** A feed held in memory: change n is for `audience(n)`; `admins` are admins. */
function fixture(opts: { audience: (position: number) => string[]; admins?: string[]; capacity?: number; limits?: Partial<SessionLimits> }) {
  const feed: { row: FeedRow; audience: string[] }[] = [];
  const calls = { read: 0 };
  const reader = {
    head: async () => feed.length,
    readAll: async (after: number, limit: number) => feed.slice(after, after + limit),
    read: async ({ userId, admin }: { userId: string; admin: boolean }, after: number, limit: number) => {
      calls.read++;
      return feed.slice(after).filter((f) => admin || f.audience.includes(userId)).slice(0, limit).map((f) => f.row);
    },
  } as unknown as FeedReader;
  const commit = (n: number) => {
    for (let i = 0; i < n; i++) {
      const position = feed.length + 1;
      const row: FeedRow = {
        position, eventId: `e${position}`, changeType: 'user', tableName: 'users', recordId: 'r', aggregateVersion: position, eventType: 'UserProfileUpdated', operation: 'UPDATE',
        data: { changes: { bio: `bio ${position}` } }, occurredAt: '2026-11-22T10:00:00.000Z', recordedAt: new Date(),
      };
      feed.push({ row, audience: opts.audience(position) });
    }
  };
  const tail = new FeedTail(reader, opts.capacity ?? 5000, 100);
  const hub = new SyncHub(100_000, tail);
  hubs.push(hub);
  const cursors = new FeedCursors(SECRET, EPOCH, reader);
  const issue = jest.spyOn(cursors, 'issue');
  const limits: SessionLimits = { heartbeatMs: 30_000, queueLimitBytes: 1000, slowConsumerMs: 1000, batchSize: 2, maxDataBytes: 65536, ...opts.limits };
  const logger = { event: () => undefined } as unknown as JsonLogger;
  const deps = { reader, tail, cursors, hub, metrics: new SyncMetrics({ registry: new Registry() } as RippleMetrics), logger, limits };
  const connect = (userId: string, position = feed.length) => {
    const sink = new FakeSink();
    const role = (opts.admins ?? []).includes(userId) ? 'admin' : 'user';
    const session = new SyncSession({ userId, role, username: userId, exp: Math.floor(Date.now() / 1000) + 3600, tokenVersion: 0 }, { position }, sink, deps);
    session.open({ position }, false);
    return { session, sink };
  };
  return { feed, calls, commit, tail, hub, connect, issue };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};
const positionOf = (cursor: string, userId: string) => codec.decode(userId, cursor).position;

describe('SyncSession', () => {
  afterEach(() => {
    // Their heartbeat and expiry timers go with the connections.
    for (const hub of hubs.splice(0)) hub.closeAll('shutting_down');
    jest.useRealTimers();
  });

  it('sends a change to each of its user\'s connections as the same bytes with one cursor, and nothing to anyone else', async () => {
    const f = fixture({ audience: (p) => (p % 2 ? ['alice'] : ['bob']) });
    f.commit(4);
    await f.tail.advance();
    const alice = Array.from({ length: 1000 }, () => f.connect('alice'));
    const bob = Array.from({ length: 3 }, () => f.connect('bob'));
    const carol = f.connect('carol');
    await settle();
    f.issue.mockClear();

    f.commit(1); // position 5, alice's
    f.hub.wakeAll();
    await settle();
    const frame = alice[0].sink.frames.at(-1)!;
    expect(alice.every((c) => c.sink.frames.length === 2 && c.sink.frames[1] === frame)).toBe(true);
    expect(f.issue.mock.calls).toEqual([['alice', 5]]);
    const message = JSON.parse(frame.ws.toString());
    expect(message).toEqual({ ...dataChangeOf(f.feed[4].row, 65536), cursor: message.cursor, id: message.cursor });
    expect(positionOf(message.cursor, 'alice')).toBe(5);
    expect([...bob, carol].every((c) => c.sink.frames.length === 1)).toBe(true);
    expect(f.calls.read).toBe(0);

    // The others moved on unsent: their resume cursor is past the change.
    carol.session.close('shutting_down');
    const closing = carol.sink.messages().at(-1);
    expect(closing.type).toBe('closing');
    expect(positionOf(closing.cursor, 'carol')).toBe(5);

    f.commit(2); // 6 bob's, 7 alice's
    f.hub.wakeAll();
    await settle();
    expect(bob.every((c) => c.sink.changes().map((m) => m.recordId + positionOf(m.cursor, 'bob')).join() === 'r6')).toBe(true);
    expect(alice.every((c) => c.sink.changes().map((m) => positionOf(m.cursor, 'alice')).join() === '5,7')).toBe(true);
  });

  it('gives an admin every change', async () => {
    const f = fixture({ audience: () => ['someone'], admins: ['root'] });
    await f.tail.advance();
    const root = f.connect('root');
    const other = f.connect('other');
    await settle();
    f.commit(3);
    f.hub.wakeAll();
    await settle();
    expect(root.sink.changes().map((m) => m.data.changes.bio)).toEqual(['bio 1', 'bio 2', 'bio 3']);
    expect(other.sink.changes()).toEqual([]);
  });

  it('reads its own feed while behind the tail, in order and once, then takes the tail\'s', async () => {
    const f = fixture({ audience: (p) => (p % 3 ? ['alice'] : ['bob']), capacity: 3 });
    await f.tail.advance();
    f.commit(9);
    await f.tail.advance();
    const late = f.connect('alice', 1);
    await settle();
    expect(f.calls.read).toBeGreaterThan(0);
    f.commit(2);
    f.hub.wakeAll();
    await settle();
    expect(late.sink.changes().map((m) => positionOf(m.cursor, 'alice'))).toEqual([2, 4, 5, 7, 8, 10, 11]);
  });

  it('waits for a full queue to drain before sending more, and cuts a reader that does not drain it in time', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const f = fixture({ audience: () => ['alice'] });
    await f.tail.advance();
    const slow = f.connect('alice');
    const stuck = f.connect('alice');
    await settle();
    const fill = (c: { sink: FakeSink }) => {
      const send = c.sink.send.bind(c.sink);
      c.sink.send = (frame) => {
        send(frame);
        if (frame.type === 'data_change') c.sink.queued = 5000;
      };
    };
    fill(slow);
    fill(stuck);
    f.commit(3);
    f.hub.wakeAll();
    await jest.advanceTimersByTimeAsync(0);
    expect(slow.sink.changes()).toHaveLength(1);
    expect(stuck.sink.changes()).toHaveLength(1);

    await jest.advanceTimersByTimeAsync(500);
    slow.sink.queued = 0;
    await jest.advanceTimersByTimeAsync(40);
    expect(slow.sink.changes()).toHaveLength(2);
    expect(stuck.sink.changes()).toHaveLength(1);

    await jest.advanceTimersByTimeAsync(500);
    expect(stuck.sink.ended).toBe('slow_consumer');
    const closing = stuck.sink.messages().at(-1);
    expect(closing).toMatchObject({ type: 'closing', reason: 'slow_consumer' });
    expect(positionOf(closing.cursor, 'alice')).toBe(1);
    expect(slow.sink.ended).toBeUndefined();
  });
});
