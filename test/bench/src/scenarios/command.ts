import { httpJson } from '../support/http';
import { closedLoop } from '../support/load';
import type { Summary } from '../support/stats';

/**
 * Scenario 2: the command path alone. Closed loop at fixed concurrency C for
 * `seconds`: C workers each send PUT /api/users/profile (a new venueDescription,
 * owners round-robin) and send the next one when the answer arrives. Timed:
 * request written → full 2xx response read, per request; throughput =
 * completed / elapsed. Targets, same run: through the gateway, direct to the
 * profiles app (baseline for the gateway hop), and alternative (a)'s handler
 * (user + venue row in one transaction, no events).
 */
export interface CommandResult {
  target: string;
  concurrency: number;
  perSecond: number;
  errors: number;
  latency: Summary;
}

export async function runCommand(opts: { targets: { name: string; url: string; tokens: string[] }[]; concurrency: number[]; seconds: number; log: (l: string) => void }): Promise<CommandResult[]> {
  const out: CommandResult[] = [];
  for (const c of opts.concurrency) {
    for (const t of opts.targets) {
      const r = await closedLoop(c, opts.seconds, async (w, i) => {
        const token = t.tokens[(w + i * c) % t.tokens.length];
        const res = await httpJson('PUT', t.url, { profileInfo: { venueDescription: `cmd-${t.name}-${c}-${i}` } }, { authorization: `Bearer ${token}` });
        return res.status === 200;
      });
      const result = { target: t.name, concurrency: c, perSecond: Math.round(r.completed / r.seconds), errors: r.errors, latency: r.latency };
      out.push(result);
      opts.log(`  command ${t.name} c=${c}: ${result.perSecond}/s, p50 ${r.latency.p50.toFixed(1)} p99 ${r.latency.p99.toFixed(1)} ms, errors ${r.errors}`);
      await new Promise((res) => setTimeout(res, 1500));
    }
  }
  return out;
}
