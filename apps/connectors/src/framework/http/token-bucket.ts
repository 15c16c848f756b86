/**
 * A token bucket: `ratePerSecond` requests per second on average, bursts up to
 * `burst`. Pure (time comes in), so the limiter around it is a thin wait loop.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(readonly ratePerSecond: number, readonly burst: number, now: number) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes a token and returns 0, or returns how long to wait before asking again. */
  take(now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }
}

/** One bucket per upstream origin, shared by every client of this process that calls it. */
export class UpstreamRateLimits {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly pausedUntil = new Map<string, number>();

  /** The upstream asked us to stay away until `until` (epoch ms). */
  pause(origin: string, until: number): void {
    this.pausedUntil.set(origin, Math.max(until, this.pausedUntil.get(origin) ?? 0));
  }

  async acquire(origin: string, ratePerSecond: number, signal?: AbortSignal): Promise<void> {
    for (let wait = (this.pausedUntil.get(origin) ?? 0) - Date.now(); wait > 0; wait = (this.pausedUntil.get(origin) ?? 0) - Date.now()) {
      signal?.throwIfAborted();
      await new Promise((r) => setTimeout(r, wait));
    }
    let bucket = this.buckets.get(origin);
    if (!bucket) this.buckets.set(origin, (bucket = new TokenBucket(ratePerSecond, Math.max(1, Math.ceil(ratePerSecond)), Date.now())));
    for (let wait = bucket.take(Date.now()); wait > 0; wait = bucket.take(Date.now())) {
      signal?.throwIfAborted();
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
