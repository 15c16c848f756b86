import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { httpJson, openEventSource, signUpOwner, type Owner } from '../support/http';
import { monotonicMicros, summarizeCpuProfile, type CpuSummary } from '../support/cpu-profile';
import { openLoop } from '../support/load';
import { startBenchRipple, APPS, type AppName } from '../support/ripple';

/**
 * Where the CPU goes under load. A second Ripple, every app started with
 * `--cpu-prof`, takes the propagation load (open loop, `rate` updates/s over
 * `owners` venue owners, each with an SSE client) for `seconds`; each app's
 * profile is cut to that window (start-up and shutdown left out) and summarized
 * by self time. The raw profiles are kept in test/bench/results/cpu/ (open them
 * in Chrome DevTools or speedscope). Separate from the measured scenarios, so
 * the profiler's overhead touches none of their figures.
 */
export interface LoadProfile {
  rate: number;
  seconds: number;
  apps: Partial<Record<AppName, CpuSummary>>;
}

const RAW = join(__dirname, '..', '..', 'results', 'cpu');

export async function profileUnderLoad(opts: { natsUrl: string; rate: number; seconds: number; owners: number; log: (l: string) => void }): Promise<LoadProfile> {
  const dir = join(RAW, 'tmp');
  rmSync(RAW, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const ripple = await startBenchRipple(opts.natsUrl, {}, ['--cpu-prof', `--cpu-prof-dir=${dir}/{app}`]);
  const window = { fromUs: 0, toUs: 0 };
  try {
    const owners: Owner[] = [];
    for (let i = 0; i < opts.owners; i++) owners.push(await signUpOwner(ripple.url, 'cpu'));
    const streams = await Promise.all(owners.map((o) => openEventSource(`${ripple.url}/api/sync/events`, o.token, () => undefined)));
    window.fromUs = monotonicMicros();
    const run = await openLoop(opts.rate, opts.seconds, async (i) => {
      const { status } = await httpJson('PUT', `${ripple.url}/api/users/profile`, { profileInfo: { venueDescription: `cpu-${i}` } }, { authorization: `Bearer ${owners[i % owners.length].token}` });
      if (status !== 200) throw new Error(`HTTP ${status}`);
    });
    window.toUs = monotonicMicros();
    for (const s of streams) s.close();
    if (run.errors) opts.log(`  cpu profile: ${run.errors} of ${run.sent} updates failed`);
  } finally {
    // Profiles are written as each app exits.
    await ripple.stop();
  }
  const apps: LoadProfile['apps'] = {};
  for (const app of APPS) {
    const files = readdirSync(join(dir, app)).filter((f) => f.endsWith('.cpuprofile'));
    if (!files.length) continue;
    renameSync(join(dir, app, files[0]), join(RAW, `${app}.cpuprofile`));
    apps[app] = summarizeCpuProfile(join(RAW, `${app}.cpuprofile`), 12, window);
    const top = apps[app]!.top.slice(0, 3).map((f) => `${f.fn} ${(f.share * 100).toFixed(0)}%`).join(', ');
    opts.log(`  ${app}: busy ${(apps[app]!.busyMs / 1000).toFixed(1)} of ${(apps[app]!.totalMs / 1000).toFixed(1)} s; top: ${top}`);
  }
  rmSync(dir, { recursive: true, force: true });
  return { rate: opts.rate, seconds: opts.seconds, apps };
}
