/** What the checker read for one user once the writes stopped. */
export interface Observed {
  /** The profile's venueName and version (GET /api/users/:id). */
  profileValue: string | undefined;
  profileVersion: number;
  /** The venue's name (GET /api/venues?ownerId=). */
  venueName: string | undefined;
  /** venueName of every UserProfileUpdated the user's SSE feed delivered, in order. */
  feedProfileValues: string[];
  /** Names carried by the VenueSynced changes of the user's venue on the SSE feed, in order. */
  feedVenueNames: string[];
}

export interface Written {
  /** Acknowledged values, in order. */
  acked: string[];
  /** Sent, never acknowledged: may or may not have been applied (at most once). */
  pending?: string;
  /** What the record held before the workload. */
  initial: string;
  /** The profile version before the workload. */
  initialVersion: number;
}

export interface Verdict {
  lost: number;
  duplicated: number;
  unexpected: number;
  /** Every copy holds every acknowledged write once, and the last one as its value. */
  converged: boolean;
}

const count = (values: string[]) => values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<string, number>());

/**
 * Lost: acknowledged writes missing from the feed, or a copy (profile, venue)
 * not holding the last acknowledged value. Duplicated: a write applied more than
 * once (twice on the feed, or a profile version beyond one per write). Unexpected:
 * a value nobody wrote anywhere.
 */
export function judge(o: Observed, w: Written): Verdict {
  const written = new Set([w.initial, ...w.acked, ...(w.pending ? [w.pending] : [])]);
  const last = w.acked.at(-1) ?? w.initial;
  const onFeed = count(o.feedProfileValues);
  const lost = new Set(w.acked.filter((v) => !onFeed.has(v)));
  const pendingApplied = w.pending !== undefined && (onFeed.has(w.pending) || o.profileValue === w.pending);
  // A pending write applied after the last acknowledged one is a legitimate final value.
  const finalOk = (v: string | undefined) => v === last || (pendingApplied && v === w.pending);
  if (!finalOk(o.profileValue) || !finalOk(o.venueName)) lost.add(last);
  const expectedVersion = w.initialVersion + w.acked.length + (pendingApplied ? 1 : 0);
  const feedDuplicates = [...onFeed.values()].reduce((n, c) => n + (c - 1), 0);
  const duplicated = Math.max(feedDuplicates, o.profileVersion - expectedVersion);
  const unexpected = new Set([...o.feedProfileValues, ...o.feedVenueNames, o.profileValue, o.venueName].filter((v): v is string => v !== undefined && !written.has(v))).size;
  const converged = lost.size === 0 && duplicated <= 0 && unexpected === 0 && o.profileVersion === expectedVersion;
  return { lost: lost.size, duplicated: Math.max(0, duplicated), unexpected, converged };
}
