/** How a sync job retries a failed operation: `retries` more attempts, waiting base·2^(n−1) before the n-th. */
export interface RetryPolicy {
  retries: number;
  backoffMs: number;
}

/** An operation waiting to be tried again. */
export interface Retrying {
  attempts: number;
  nextRetryAt: string;
  error: { code: string; message: string };
}

export type NextStep = { run: number } | { waitUntil: number } | 'done';

/**
 * What a job does next: the first operation not finished whose retry is due (or
 * that was never tried); else wait for the earliest retry; else it is done.
 * Operations that fail do not hold up the others.
 */
export function nextStep(total: number, finished: ReadonlySet<number>, retrying: Readonly<Record<string, Retrying>>, now: number): NextStep {
  let earliest = Infinity;
  for (let i = 0; i < total; i++) {
    if (finished.has(i)) continue;
    const due = retrying[i] ? Date.parse(retrying[i].nextRetryAt) : now;
    if (due <= now) return { run: i };
    earliest = Math.min(earliest, due);
  }
  return earliest === Infinity ? 'done' : { waitUntil: earliest };
}

/** After an attempt failed: when to try again, or undefined when it has had all its attempts. */
export function retryAfter(policy: RetryPolicy, attempts: number, now: number): string | undefined {
  if (attempts > policy.retries) return undefined;
  return new Date(now + policy.backoffMs * 2 ** (attempts - 1)).toISOString();
}
