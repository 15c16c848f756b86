/** Latency summaries: exact percentiles over every sample (the runs are small enough to keep them all). */
export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: number[]): Summary {
  if (samples.length === 0) return { n: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  const s = [...samples].sort((a, b) => a - b);
  // Nearest-rank percentile: the smallest sample with at least p% of the samples at or below it.
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { n: s.length, p50: at(50), p95: at(95), p99: at(99), max: s[s.length - 1], mean };
}

export const round = (v: number, digits = 1) => (Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : v);

export function roundSummary(s: Summary): Summary {
  return { n: s.n, p50: round(s.p50), p95: round(s.p95), p99: round(s.p99), max: round(s.max), mean: round(s.mean) };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Monotonic milliseconds (performance.now), the one clock every latency here is taken with. */
export const now = () => performance.now();
