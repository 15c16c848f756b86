import type { JsonLogger } from '@ripple/observability';
import type { FeedTail, OfferedRows, TailChanges } from '../feed/feed-tail';
import { TooManyConnectionsError } from './sync.errors';
import { Frame, type ChangeFrames, type CloseReason } from './sync-messages';

interface Member {
  readonly userId: string;
  /** When the connection's token expires: seconds since the epoch (JWT `exp`). */
  readonly expiresAt: number;
  /** The connection's token version (JWT `tv`). */
  readonly tokenVersion: number;
  readonly heartbeatMs: number;
  /** `changed`: who the changes since the last wake are for, when the hub knows. */
  wake(changed?: TailChanges): void;
  send(frame: Frame): void;
  close(reason?: CloseReason): void;
}

/** setTimeout holds at most ~24.8 days; a later expiry is re-checked then. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * This instance's open connections: a registry for waking and bounding them,
 * not a source of truth (what to send always comes from the database). It keeps
 * the timers too, so a connection costs no timer of its own: one heartbeat
 * interval for all connections (HeartbeatWheel), one timeout for the next
 * token to expire.
 */
export class SyncHub {
  private readonly members = new Set<Member>();
  private readonly perUser = new Map<string, number>();
  /** One wheel per heartbeat period (in practice one: every session shares the config). */
  private readonly heartbeats = new Map<number, HeartbeatWheel>();
  /** Members by their token's `exp`, and the timer set for the earliest one. */
  private readonly expiries = new Map<number, Set<Member>>();
  private expiryTimer?: { exp: number; timer: NodeJS.Timeout };
  private waking = false;
  private frames?: ChangeFrames;
  private reading?: Promise<void>;
  private closing = false;

  constructor(private readonly maxPerUser: number, private readonly tail?: FeedTail, private readonly logger?: JsonLogger) {
    tail?.onGap(this.wakeAll);
  }

  /** Reserves a connection slot for the user; release it with `leave`. */
  admit(userId: string): void {
    const n = this.perUser.get(userId) ?? 0;
    if (n >= this.maxPerUser || this.closing) throw new TooManyConnectionsError(this.maxPerUser);
    this.perUser.set(userId, n + 1);
  }

  join(member: Member): void {
    this.members.add(member);
    let wheel = this.heartbeats.get(member.heartbeatMs);
    if (!wheel) this.heartbeats.set(member.heartbeatMs, (wheel = new HeartbeatWheel(member.heartbeatMs)));
    wheel.add(member);
    const due = this.expiries.get(member.expiresAt);
    if (due) due.add(member);
    else this.expiries.set(member.expiresAt, new Set([member]));
    if (!this.expiryTimer || member.expiresAt < this.expiryTimer.exp) this.armExpiry(member.expiresAt);
  }

  leave(member: Member | { userId: string }): void {
    if ('wake' in member) {
      if (!this.members.delete(member)) return;
      const wheel = this.heartbeats.get(member.heartbeatMs);
      if (wheel?.delete(member) && wheel.size === 0) {
        wheel.stop();
        this.heartbeats.delete(member.heartbeatMs);
      }
      const due = this.expiries.get(member.expiresAt);
      if (due?.delete(member) && due.size === 0) this.expiries.delete(member.expiresAt);
      if (this.members.size === 0) this.armExpiry(undefined);
    }
    const n = (this.perUser.get(member.userId) ?? 1) - 1;
    if (n <= 0) this.perUser.delete(member.userId);
    else this.perUser.set(member.userId, n);
  }

  /**
   * A commit was announced: read it once into the shared tail, then let every
   * session take its part. Announcements that share a read share its wake.
   */
  wakeAll = (): void => {
    if (!this.tail) return this.wakeMembers(undefined);
    const tail = this.tail;
    const from = tail.position;
    const read = tail.advance();
    if (read === this.reading) return;
    this.reading = read;
    read.then(
      () => this.wakeMembers(tail.changedSince(from)),
      (err: Error) => {
        this.logger?.event('warn', 'feed tail read failed; sessions read the database', { error: err.message });
        this.wakeMembers(undefined);
      },
    );
  };

  /**
   * Rows this instance's feed writer just committed: into the shared tail
   * without a read, then every session takes its part once they follow what it
   * holds (rows that come before an earlier commit's, or during a read, wait
   * in the tail for it: FeedTail.offer). A tail that cannot take them reads, as
   * for any announcement.
   */
  offer = (rows: OfferedRows, previous: number): void => {
    if (!this.tail) return this.wakeMembers(undefined);
    const from = this.tail.position;
    if (!this.tail.offer(rows, previous)) return this.wakeAll();
    if (this.tail.position > from) this.wakeMembers(this.tail.changedSince(from));
  };

  /** A commit announced by notification: nothing to do if the tail already holds it (`upTo`, when the announcement says). */
  announced = (upTo?: number): void => {
    if (upTo !== undefined && this.tail && upTo <= this.tail.position) return;
    this.wakeAll();
  };

  /**
   * While the hub wakes its members, the frames they send are shared (one
   * cursor and one encoding per change and user); outside a wake, a session
   * encodes its own. Nothing is kept once the wake is over.
   */
  changeFrames(create: () => ChangeFrames): ChangeFrames {
    if (!this.waking) return create();
    this.frames ??= create();
    return this.frames;
  }

  /**
   * The user's tokens below `tokenVersion` were revoked (a role or password
   * change, a logout): their connections close at once. Rare enough that a scan
   * of this instance's connections costs nothing worth indexing for.
   */
  revoke = (userId: string, tokenVersion: number): void => {
    for (const m of [...this.members]) if (m.userId === userId && m.tokenVersion < tokenVersion) m.close('token_revoked');
  };

  closeAll(reason: CloseReason): void {
    this.closing = true;
    for (const m of [...this.members]) m.close(reason);
  }

  get size(): number {
    return this.members.size;
  }

  private wakeMembers(changed: TailChanges | undefined): void {
    this.waking = true;
    try {
      for (const m of this.members) m.wake(changed);
    } finally {
      this.waking = false;
      this.frames = undefined;
    }
  }

  /** Sets the one expiry timer for `exp` (seconds), or for nothing. */
  private armExpiry(exp: number | undefined): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer.timer);
    this.expiryTimer = undefined;
    if (exp === undefined) return;
    const delay = Math.min(Math.max(exp * 1000 - Date.now(), 0), MAX_DELAY);
    this.expiryTimer = { exp, timer: setTimeout(() => this.expire(), delay) };
  }

  /** Closes every member whose token has expired, then waits for the next expiry. */
  private expire(): void {
    this.expiryTimer = undefined;
    const now = Date.now();
    let next: number | undefined;
    for (const [exp, due] of this.expiries) {
      if (exp * 1000 > now) {
        if (next === undefined || exp < next) next = exp;
        continue;
      }
      for (const m of [...due]) m.close('token_expired');
      this.expiries.delete(exp);
    }
    if (this.expiryTimer === undefined) this.armExpiry(next);
  }
}

/**
 * Heartbeats for every member from one interval timer. Members are dealt
 * round-robin into SLOTS slots and each tick (period / SLOTS) beats one slot,
 * so each member still hears one heartbeat per period, while the writes come
 * in small batches instead of one burst per period that would delay the
 * changes sent at that moment.
 */
class HeartbeatWheel {
  private static readonly SLOTS = 16;
  private readonly slots = Array.from({ length: HeartbeatWheel.SLOTS }, () => new Set<Member>());
  private dealt = 0;
  private ticks = 0;
  private readonly timer: NodeJS.Timeout;
  size = 0;

  constructor(periodMs: number) {
    this.timer = setInterval(() => this.tick(), Math.max(1, Math.floor(periodMs / HeartbeatWheel.SLOTS)));
  }

  add(member: Member): void {
    this.slots[this.dealt++ % HeartbeatWheel.SLOTS].add(member);
    this.size++;
  }

  delete(member: Member): boolean {
    for (const slot of this.slots) {
      if (slot.delete(member)) {
        this.size--;
        return true;
      }
    }
    return false;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const slot = this.slots[this.ticks++ % HeartbeatWheel.SLOTS];
    if (slot.size === 0) return;
    const frame = Frame.of({ type: 'heartbeat', timestamp: Date.now() });
    for (const m of slot) m.send(frame);
  }
}
