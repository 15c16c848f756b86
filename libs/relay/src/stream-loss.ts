/** What the relay last recorded of its stream: which incarnation (its creation time), and the highest sequence seen in it. */
export interface StreamMark {
  created: string;
  highSeq: number;
}

/** The stream as the broker describes it now. */
export interface StreamSnapshot {
  created: string;
  lastSeq: number;
  /** Time of the last message (the epoch or year 1 when there is none). */
  lastTs: string;
}

/**
 * `recreated`: the stream is not the one the relay published to (deleted, or lost
 * with the broker's store, and created again): everything it held is gone.
 * `behind`: same stream, but its last sequence is below one a PubAck or an earlier
 * check reported (the broker lost its tail, e.g. writes acknowledged before fsync).
 */
export type StreamLoss = { reason: 'recreated' } | { reason: 'behind'; expectedSeq: number; lastSeq: number; lastTs: string };

/**
 * Whether the stream lost events the relay had published. `acked` is the highest
 * sequence PubAcks reported before `now` was read. A stream seen for the first time
 * (no mark) is taken as it is.
 */
export function streamLoss(mark: StreamMark | undefined, acked: number, now: StreamSnapshot): StreamLoss | undefined {
  if (mark && mark.created !== now.created) return { reason: 'recreated' };
  const expectedSeq = Math.max(acked, mark?.highSeq ?? 0);
  if (expectedSeq > now.lastSeq) return { reason: 'behind', expectedSeq, lastSeq: now.lastSeq, lastTs: now.lastTs };
  return undefined;
}

/**
 * Events published since this time must be published again (undefined: all of them).
 * After a re-creation, everything still within the stream's age limit; when the stream
 * is behind, everything published after its last message, less the duplicate window
 * (what it still holds in that window the broker drops as a duplicate, and a clock
 * apart by less than that loses nothing).
 */
export function republishSince(loss: StreamLoss, opts: { now: Date; maxAgeMs: number; duplicateWindowMs: number }): Date | undefined {
  switch (loss.reason) {
    case 'recreated':
      return opts.maxAgeMs > 0 ? new Date(opts.now.getTime() - opts.maxAgeMs) : undefined;
    case 'behind': {
      const last = Date.parse(loss.lastTs);
      return Number.isFinite(last) && last > 0 ? new Date(last - opts.duplicateWindowMs) : undefined;
    }
    default: {
      const never: never = loss;
      return never;
    }
  }
}
