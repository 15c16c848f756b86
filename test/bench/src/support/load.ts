import { now, sleep, summarize, type Summary } from './stats';

/**
 * Open-loop load: request i is due at t0 + i/rate whatever happened to earlier
 * ones, and every latency is measured from that scheduled time, so a slow
 * system cannot hide its queueing by slowing the generator down (no coordinated
 * omission). `send(i, scheduledAt)` starts request i and must not be awaited in
 * order; the driver fires requests as they come due.
 */
export async function openLoop(rate: number, seconds: number, send: (i: number, scheduledAt: number) => Promise<void>): Promise<{ sent: number; errors: number; errorKinds: Record<string, number>; lateMs: Summary }> {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const t0 = now() + 20;
  const inflight: Promise<void>[] = [];
  const late: number[] = [];
  let errors = 0;
  const errorKinds: Record<string, number> = {};
  for (let i = 0; i < total; i++) {
    const due = t0 + i * interval;
    const wait = due - now();
    // Timers fire up to ~1 ms late; that lateness is part of the measured latency (and reported).
    if (wait > 0) await sleep(wait);
    late.push(now() - due);
    inflight.push(
      send(i, due).catch((err: Error) => {
        errors++;
        errorKinds[err.message] = (errorKinds[err.message] ?? 0) + 1;
      }),
    );
  }
  await Promise.all(inflight);
  return { sent: total, errors, errorKinds, lateMs: summarize(late) };
}

/** Closed loop at fixed concurrency for `seconds`: each worker sends its next request when the last one answered. */
export async function closedLoop(concurrency: number, seconds: number, send: (worker: number, i: number) => Promise<boolean>): Promise<{ completed: number; errors: number; seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  let errors = 0;
  let i = 0;
  const start = now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (now() < deadline) {
        const t = now();
        const ok = await send(w, i++).catch(() => false);
        if (ok) latencies.push(now() - t);
        else errors++;
      }
    }),
  );
  const elapsed = (now() - start) / 1000;
  return { completed: latencies.length, errors, seconds: elapsed, latencies };
}
