import { httpJson } from '../support/http';
import { closedLoop } from '../support/load';
import { ResourceSampler, type ProcessGroup } from '../support/resources';
import { summarize, type Summary } from '../support/stats';

/**
 * Scenario 2: the command path alone. Closed loop at fixed concurrency C: C
 * workers each send PUT /api/users/profile (a new venueDescription, owners
 * round-robin) and send the next one when the answer arrives. Timed: request
 * written → full 2xx response read, per request; throughput = completed ÷
 * elapsed. Targets, same run: through the gateway, direct to the profiles app
 * (baseline for the gateway hop), a bare proxy, and alternative (a)'s handler
 * (user + venue row in one transaction, no events), and direct's topology done raw
 * (alternatives/raw-topology.ts: the same services' writes, without Ripple's guarantees).
 *
 * Every target first runs WARM_UP_SECONDS unmeasured; then each is measured for
 * `seconds` in two halves, in the targets' order and then in reverse
 * (A B C D, D C B A). Measured one after another in a fixed order, the first
 * target ran on cold code paths and a cold connection pool and paid for any
 * backlog the previous scenario left (the gateway: 0.55× of direct measured
 * first, 0.78× measured after the others warmed up, same code and run).
 *
 * While a target is measured (not its warm-up, nor what `around` does), every
 * process of `groups` is sampled: CPU seconds ÷ requests completed is its CPU
 * per request. In a closed loop the cores are the limit, so these say where a
 * target's throughput goes, and what it could reach if one process cost nothing.
 */
export interface CommandResult {
  target: string;
  concurrency: number;
  perSecond: number;
  errors: number;
  latency: Summary;
  /** CPU ms per completed request, by process group, in the measured runs. */
  cpuPerRequestMs?: Record<string, number>;
}

/** The target that is direct's floor: Ripple's services and writes, done raw (alternatives/raw-topology.ts). */
export const RAW_TOPOLOGY_TARGET = 'the topology done raw (c)';
/** …and the same with its command behind Ripple's HTTP edge: what the stack itself adds to that floor. */
export const RAW_TOPOLOGY_EDGE_TARGET = 'the topology done raw, its command behind the HTTP edge (d)';

const WARM_UP_SECONDS = 2;
const PAUSE_MS = 1500;

/**
 * `around`, when given, brackets every run of the target (warm-up and measured): e.g. pausing the
 * rest of the system before and resuming it (and waiting for what it owes) after.
 */
type Target = { name: string; url: string; tokens: string[]; around?: { before(): Promise<void>; after(): Promise<void> } };

export async function runCommand(opts: { targets: Target[]; concurrency: number[]; seconds: number; groups?: ProcessGroup[]; log: (l: string) => void }): Promise<CommandResult[]> {
  const out: CommandResult[] = [];
  const pause = () => new Promise((res) => setTimeout(res, PAUSE_MS));
  for (const c of opts.concurrency) {
    const loop = async (t: Target, seconds: number, cpu?: Map<string, number>) => {
      await t.around?.before();
      const sampler = cpu && opts.groups ? new ResourceSampler(opts.groups) : undefined;
      try {
        sampler?.start();
        return await closedLoop(c, seconds, async (w, i) => {
          const token = t.tokens[(w + i * c) % t.tokens.length];
          const res = await httpJson('PUT', t.url, { profileInfo: { venueDescription: `cmd-${t.name}-${c}-${i}` } }, { authorization: `Bearer ${token}` });
          return res.status === 200;
        });
      } finally {
        for (const use of sampler?.stop() ?? []) cpu!.set(use.name, (cpu!.get(use.name) ?? 0) + use.cpuSeconds);
        await t.around?.after();
      }
    };
    for (const t of opts.targets) await loop(t, WARM_UP_SECONDS);
    await pause();
    const measured = new Map(opts.targets.map((t) => [t, { completed: 0, errors: 0, seconds: 0, latencies: [] as number[], cpu: new Map<string, number>() }]));
    for (const order of [opts.targets, [...opts.targets].reverse()]) {
      for (const t of order) {
        const m = measured.get(t)!;
        const r = await loop(t, opts.seconds / 2, m.cpu);
        m.completed += r.completed;
        m.errors += r.errors;
        m.seconds += r.seconds;
        m.latencies.push(...r.latencies);
        await pause();
      }
    }
    for (const [t, m] of measured) {
      const cpuPerRequestMs = m.cpu.size && m.completed ? Object.fromEntries([...m.cpu].map(([name, s]) => [name, Math.round((s * 1e6) / m.completed) / 1000])) : undefined;
      const result = { target: t.name, concurrency: c, perSecond: Math.round(m.completed / m.seconds), errors: m.errors, latency: summarize(m.latencies), cpuPerRequestMs };
      out.push(result);
      opts.log(`  command ${t.name} c=${c}: ${result.perSecond}/s, p50 ${result.latency.p50.toFixed(1)} p99 ${result.latency.p99.toFixed(1)} ms, errors ${m.errors}`);
    }
  }
  return out;
}
