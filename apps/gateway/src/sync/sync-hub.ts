import type { JsonLogger } from '@ripple/observability';
import type { FeedTail } from '../feed/feed-tail';
import { TooManyConnectionsError } from './sync.errors';
import type { CloseReason } from './sync-messages';

interface Member {
  readonly userId: string;
  wake(): void;
  close(reason?: CloseReason): void;
}

/**
 * This instance's open connections: a registry for waking and bounding them,
 * not a source of truth (what to send always comes from the database).
 */
export class SyncHub {
  private readonly members = new Set<Member>();
  private readonly perUser = new Map<string, number>();
  private closing = false;

  constructor(private readonly maxPerUser: number, private readonly tail?: FeedTail, private readonly logger?: JsonLogger) {}

  /** Reserves a connection slot for the user; release it with `leave`. */
  admit(userId: string): void {
    const n = this.perUser.get(userId) ?? 0;
    if (n >= this.maxPerUser || this.closing) throw new TooManyConnectionsError(this.maxPerUser);
    this.perUser.set(userId, n + 1);
  }

  join(member: Member): void {
    this.members.add(member);
  }

  leave(member: Member | { userId: string }): void {
    if ('wake' in member && !this.members.delete(member)) return;
    const n = (this.perUser.get(member.userId) ?? 1) - 1;
    if (n <= 0) this.perUser.delete(member.userId);
    else this.perUser.set(member.userId, n);
  }

  /** A commit was announced: read it once into the shared tail, then let every session take its part. */
  wakeAll = (): void => {
    const wake = () => {
      for (const m of this.members) m.wake();
    };
    if (!this.tail) return wake();
    this.tail.advance().then(wake, (err: Error) => {
      this.logger?.event('warn', 'feed tail read failed; sessions read the database', { error: err.message });
      wake();
    });
  };

  closeAll(reason: CloseReason): void {
    this.closing = true;
    for (const m of [...this.members]) m.close(reason);
  }

  get size(): number {
    return this.members.size;
  }
}
