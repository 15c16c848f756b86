import type { ConfigSpec } from '@ripple/config';
import { rebuildOf, replayableNames } from './replay-jobs';
import { createRuntime, stopRuntime, type ServiceDefinition } from './runtime';

type AnyDefinition = ServiceDefinition<ConfigSpec>;

/**
 * scripts/ops.js, in a process of its own with a service's own settings (no
 * gateway needed; `npx ripple` asks the running services instead).
 * `replay <projection>`: rebuilds a projection (or a read model the service
 * writes with its events) blue/green while the live one keeps serving, printing
 * progress. `republish <service|all> [fromPosition]`:
 * marks a service's (or every service's) events unpublished so its relay sends
 * them again (after broker data loss; relays also do it by themselves when they
 * notice); the service must be running (or started) to publish them.
 */
export async function runOpsCli(definitions: AnyDefinition[], argv: string[]): Promise<number> {
  const [command, target, arg] = argv;
  const projections = definitions.flatMap((d) => replayableNames(d).map((name) => ({ d, name })));
  if (command === 'replay' && target) {
    const found = projections.find((x) => x.name === target);
    if (!found) return usage(`no projection named "${target}"; known: ${projections.map((x) => x.name).join(', ')}`);
    const rt = await createRuntime(found.d);
    const started = Date.now();
    let last = 0;
    try {
      const events = await rebuildOf(rt, target)!((p) => {
        if (Date.now() - last < 500 && p.phase !== 'swapped') return;
        last = Date.now();
        const pct = p.total ? ((100 * p.applied) / p.total).toFixed(1) : '100.0';
        process.stderr.write(`${p.projection}: ${p.phase} ${p.applied}/${p.total} (${pct}%)\n`);
      });
      const seconds = (Date.now() - started) / 1000;
      process.stdout.write(`${target} rebuilt from ${events} events in ${seconds.toFixed(1)} s (${Math.round(events / Math.max(seconds, 0.001))} events/s)\n`);
      return 0;
    } finally {
      await stopRuntime(rt);
    }
  }
  if (command === 'republish' && target) {
    const publishing = definitions.filter((x) => x.publishes);
    const chosen = target === 'all' ? publishing : publishing.filter((x) => x.name === target);
    if (chosen.length === 0) return usage(`no publishing service named "${target}"; known: all, ${publishing.map((x) => x.name).join(', ')}`);
    if (arg !== undefined && !/^\d+$/.test(arg)) return usage(`fromPosition must be a whole number, got "${arg}"`);
    for (const d of chosen) {
      const rt = await createRuntime(d);
      try {
        const n = await rt.dataSource.transaction((tx) => rt.eventStore.scheduleRepublish(tx, Number(arg ?? 0)));
        process.stdout.write(`${n} events of ${d.name} marked for republishing\n`);
      } finally {
        await stopRuntime(rt);
      }
    }
    return 0;
  }
  return usage();
}

function usage(problem?: string): number {
  if (problem) process.stderr.write(`${problem}\n`);
  process.stderr.write('usage: node scripts/ops.js replay <projection>\n       node scripts/ops.js republish <service|all> [fromPosition]\n(npx ripple does the same through a running gateway)\n');
  return 2;
}
