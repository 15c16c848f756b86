import { CursorCodec, ForgedCursorError } from './feed-cursor';
import type { FeedReader } from './feed-reader';
import type { ResetReason } from '../sync/sync-messages';

export interface ResumePoint {
  position: number;
  /** Set when the given cursor cannot be resumed: the client must reload, then continue from `position`. */
  reset?: ResetReason;
}

/** Turns a client's cursor into a feed position, or into an explicit reset: never a silent gap. */
export class FeedCursors {
  private readonly codec: CursorCodec;

  constructor(secret: string, private readonly epoch: string, private readonly reader: FeedReader) {
    this.codec = new CursorCodec(secret);
  }

  issue(userId: string, position: number): string {
    return this.codec.encode(userId, { epoch: this.epoch, position });
  }

  /** No cursor: from `fresh` (the head for a live stream, the oldest change kept for a full read). */
  async resolve(userId: string, given: string | undefined, fresh: 'head' | 'start'): Promise<ResumePoint> {
    const { head, prunedThrough } = await this.reader.bounds();
    if (given === undefined) return { position: fresh === 'head' ? head : prunedThrough };
    let at;
    try {
      at = this.codec.decode(userId, given);
    } catch (err) {
      if (!(err instanceof ForgedCursorError)) throw err;
      return { position: head, reset: 'cursor_invalid' };
    }
    if (at.epoch !== this.epoch) return { position: head, reset: 'feed_rebuilt' };
    if (at.position > head) return { position: head, reset: 'cursor_unknown' };
    // Changes after the cursor were pruned (older than the feed's window): resuming would skip them.
    if (at.position < prunedThrough) return { position: head, reset: 'too_old' };
    return { position: at.position };
  }
}
