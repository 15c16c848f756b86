import type { FeedTail } from '../feed/feed-tail';
import { SyncHub } from './sync-hub';
import { ChangeFrames, type CloseReason, type Frame } from './sync-messages';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const inSeconds = (s: number) => NOW / 1000 + s;

function memberOf(hub: SyncHub, userId: string, expiresAt = inSeconds(3600), heartbeatMs = 1000, tokenVersion = 0) {
  const m = {
    userId, expiresAt, heartbeatMs, tokenVersion,
    wakes: 0,
    sent: [] as Frame[],
    closed: undefined as CloseReason | undefined,
    wake: () => void m.wakes++,
    send: (f: Frame) => void m.sent.push(f),
    close: (reason?: CloseReason) => {
      m.closed = reason;
      hub.leave(m);
    },
  };
  hub.admit(userId);
  hub.join(m);
  return m;
}

beforeEach(() => jest.useFakeTimers({ now: NOW }));
afterEach(() => jest.useRealTimers());

describe('SyncHub timers', () => {
  it('beats every connection once a period from one timer, a sixteenth of them at a time, and stops when the last one leaves', () => {
    const hub = new SyncHub(10_000);
    const members = Array.from({ length: 1600 }, (_, i) => memberOf(hub, `u${i % 7}`, inSeconds(3600), 1600));
    expect(jest.getTimerCount()).toBe(2); // one heartbeat interval, one expiry timeout
    jest.advanceTimersByTime(100);
    expect(members.filter((m) => m.sent.length === 1)).toHaveLength(100);
    jest.advanceTimersByTime(1500);
    expect(members.every((m) => m.sent.length === 1)).toBe(true);
    expect(new Set(members.map((m) => m.sent[0])).size).toBe(16);
    expect(JSON.parse(members[0].sent[0].ws.toString())).toEqual({ type: 'heartbeat', timestamp: expect.any(Number) });
    jest.advanceTimersByTime(1600);
    expect(members.every((m) => m.sent.length === 2)).toBe(true);
    // Nobody waits longer than a period between two heartbeats.
    const late = memberOf(hub, 'late', inSeconds(3600), 1600);
    jest.advanceTimersByTime(1600);
    expect(late.sent).toHaveLength(1);
    for (const m of [...members, late]) hub.leave(m);
    expect(jest.getTimerCount()).toBe(0);
    expect(hub.size).toBe(0);
  });

  it('closes each connection when its token expires, and no other', () => {
    const hub = new SyncHub(10);
    const soon = memberOf(hub, 'a', inSeconds(2));
    const later = memberOf(hub, 'b', inSeconds(5));
    const alsoSoon = memberOf(hub, 'c', inSeconds(2));
    const beyondTimers = memberOf(hub, 'd', inSeconds(40 * 24 * 3600), 24 * 3600 * 1000);
    jest.advanceTimersByTime(1999);
    expect([soon.closed, alsoSoon.closed]).toEqual([undefined, undefined]);
    jest.advanceTimersByTime(1);
    expect([soon.closed, alsoSoon.closed, later.closed]).toEqual(['token_expired', 'token_expired', undefined]);
    const joinedLate = memberOf(hub, 'e', inSeconds(3));
    jest.advanceTimersByTime(1000);
    expect(joinedLate.closed).toBe('token_expired');
    expect(later.closed).toBeUndefined();
    jest.advanceTimersByTime(2000);
    expect(later.closed).toBe('token_expired');
    // Longer than a timer can wait (~24.8 days): re-checked, closed only when due.
    jest.advanceTimersByTime(30 * 24 * 3600 * 1000);
    expect(beyondTimers.closed).toBeUndefined();
    jest.advanceTimersByTime(10 * 24 * 3600 * 1000);
    expect(beyondTimers.closed).toBe('token_expired');
  });

  it('closes a connection whose token has already expired at once', () => {
    const hub = new SyncHub(10);
    const stale = memberOf(hub, 'a', inSeconds(-1));
    expect(stale.closed).toBeUndefined();
    jest.advanceTimersByTime(0);
    expect(stale.closed).toBe('token_expired');
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('SyncHub wakes', () => {
  it('wakes once for announcements that share a read, and shares frames only during a wake', async () => {
    jest.useRealTimers();
    let advances = 0;
    let release!: () => void;
    const tail = {
      position: 0,
      advance() {
        advances++;
        return (this.pending ??= new Promise<void>((r) => (release = r)));
      },
      pending: undefined as Promise<void> | undefined,
      changedSince: () => undefined,
      onGap: () => undefined,
    };
    const hub = new SyncHub(10, tail as unknown as FeedTail);
    const frames: ChangeFrames[] = [];
    const newFrames = () => new ChangeFrames(100, () => 'c');
    const m = memberOf(hub, 'a');
    m.wake = () => {
      m.wakes++;
      frames.push(hub.changeFrames(newFrames), hub.changeFrames(newFrames));
    };
    hub.wakeAll();
    hub.wakeAll();
    hub.wakeAll();
    expect(advances).toBe(3);
    release();
    await tail.pending;
    await new Promise((r) => setImmediate(r));
    expect(m.wakes).toBe(1);
    expect(frames[0]).toBe(frames[1]);
    expect(hub.changeFrames(newFrames)).not.toBe(frames[0]);
    expect(hub.changeFrames(newFrames)).not.toBe(hub.changeFrames(newFrames));
    m.close();
  });
});

describe('SyncHub revocations', () => {
  it('closes the user\'s connections whose token is below the revoked version, and no other', () => {
    const hub = new SyncHub(10);
    const old = memberOf(hub, 'a', inSeconds(3600), 1000, 1);
    const fresh = memberOf(hub, 'a', inSeconds(3600), 1000, 2);
    const other = memberOf(hub, 'b', inSeconds(3600), 1000, 0);
    hub.revoke('a', 2);
    expect([old.closed, fresh.closed, other.closed]).toEqual(['token_revoked', undefined, undefined]);
    expect(hub.size).toBe(2);
    hub.closeAll('shutting_down');
  });
});
