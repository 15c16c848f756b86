import { httpJson } from '../support/http';
import { closedLoop } from '../support/load';
import { summarize, type Summary } from '../support/stats';

/**
 * Scenario 2: the command path alone. Closed loop at fixed concurrency C: C
 * workers each send PUT /api/users/profile (a new venueDescription, owners
 * round-robin) and send the next one when the answer arrives. Timed: request
 * written → full 2xx response read, per request; throughput = completed ÷
 * elapsed. Targets, same run: through the gateway, direct to the profiles app
 * (baseline for the gateway hop), a bare proxy, and alternative (a)'s handler
 * (user + venue row in one transaction, no events).
 *
 * Every target first runs WARM_UP_SECONDS unmeasured; then each is measured for
 * `seconds` in two halves, in the targets' order and then in reverse
 * (A B C D, D C B A). Measured one after another in a fixed order, the first
 * target ran on cold code paths and a cold connection pool and paid for any
 * backlog the previous scenario left (the gateway: 0.55× of direct measured
 * first, 0.78× measured after the others warmed up, same code and run).
 */
export interface CommandResult {
  target: string;
  concurrency: number;
  perSecond: number;
  errors: number;
  latency: Summary;
}

const WARM_UP_SECONDS = 2;
const PAUSE_MS = 1500;

/**
 * `around`, when given, brackets every run of the target (warm-up and measured): e.g. pausing the
 * rest of the system before and resuming it (and waiting for what it owes) after.
 */
type Target = { name: string; url: string; tokens: string[]; around?: { before(): Promise<void>; after(): Promise<void> } };

export async function runCommand(opts: { targets: Target[]; concurrency: number[]; seconds: number; log: (l: string) => void }): Promise<CommandResult[]> {
  const out: CommandResult[] = [];
  const pause = () => new Promise((res) => setTimeout(res, PAUSE_MS));
  for (const c of opts.concurrency) {
    const loop = async (t: Target, seconds: number) => {
      await t.around?.before();
      try {
        return await closedLoop(c, seconds, async (w, i) => {
          const token = t.tokens[(w + i * c) % t.tokens.length];
          const res = await httpJson('PUT', t.url, { profileInfo: { venueDescription: `cmd-${t.name}-${c}-${i}` } }, { authorization: `Bearer ${token}` });
          return res.status === 200;
        });
      } finally {
        await t.around?.after();
      }
    };
    for (const t of opts.targets) await loop(t, WARM_UP_SECONDS);
    await pause();
    const measured = new Map(opts.targets.map((t) => [t, { completed: 0, errors: 0, seconds: 0, latencies: [] as number[] }]));
    for (const order of [opts.targets, [...opts.targets].reverse()]) {
      for (const t of order) {
        const r = await loop(t, opts.seconds / 2);
        const m = measured.get(t)!;
        m.completed += r.completed;
        m.errors += r.errors;
        m.seconds += r.seconds;
        m.latencies.push(...r.latencies);
        await pause();
      }
    }
    for (const [t, m] of measured) {
      const result = { target: t.name, concurrency: c, perSecond: Math.round(m.completed / m.seconds), errors: m.errors, latency: summarize(m.latencies) };
      out.push(result);
      opts.log(`  command ${t.name} c=${c}: ${result.perSecond}/s, p50 ${result.latency.p50.toFixed(1)} p99 ${result.latency.p99.toFixed(1)} ms, errors ${m.errors}`);
    }
  }
  return out;
}
