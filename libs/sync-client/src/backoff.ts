/** Exponential backoff with full jitter: attempt n waits a random time up to min(max, base·2^n). */
export function backoffDelay(attempt: number, opts: { baseMs?: number; maxMs?: number; random?: () => number } = {}): number {
  const base = opts.baseMs ?? 1000;
  const cap = Math.min(opts.maxMs ?? 30_000, base * 2 ** attempt);
  // Never below the base: a reconnect storm after an outage is what the jitter is for, not an instant retry.
  return Math.round(base + (cap - base) * (opts.random ?? Math.random)());
}
