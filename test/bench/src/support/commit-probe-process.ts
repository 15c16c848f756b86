import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { pidsByComm } from './resources';

/**
 * The commit probe's own process (see CommitProbe): commits a one-row upsert every
 * EVERY_MS and, on 'stop', sends each commit's [start, end] in epoch milliseconds
 * (performance.timeOrigin + now(), comparable across processes), and the runs of
 * the host's memory monitor it saw (HostMonitor), and exits.
 */
async function main() {
  const every = Number(process.env.EVERY_MS ?? 50);
  const db = new Client({ connectionString: process.env.DATABASE_URL, application_name: 'bench-commit-probe' });
  await db.connect();
  await db.query('CREATE TABLE IF NOT EXISTS public.bench_commit_probe (id int PRIMARY KEY, n bigint NOT NULL)');
  const commits: [number, number][] = [];
  const monitor = new HostMonitor();
  let stopped = false;
  process.on('message', () => (stopped = true));
  // The bench was killed: nothing will ask for the figures.
  process.on('disconnect', () => process.exit(0));
  const [{ pid }] = (await db.query('SELECT pg_backend_pid() AS pid')).rows;
  process.send!({ backendPid: pid });
  while (!stopped) {
    const from = clock();
    await db.query('INSERT INTO public.bench_commit_probe (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = bench_commit_probe.n + 1');
    commits.push([from, clock()]);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
  await db.end();
  process.send!({ commits, monitorRuns: monitor.stop() }, () => process.exit(0));
}

const clock = () => performance.timeOrigin + performance.now();

/**
 * How often the host's memory monitor is looked at. Every look wakes this process on the
 * cores it measures: at 10 ms, alternated twice with the monitor off, the system's CPU per
 * update was the same and the p50 at 50/s 1.7 ms higher (15.9 against 14.1–14.2 ms).
 */
const MONITOR_EVERY_MS = 25;
/** CPU taken within this long of the last is the same run. */
const MONITOR_RUN_GAP_MS = 40;

/**
 * The runs of the kernel's data access monitor (DAMON's `kdamond` threads), where
 * the host runs one: this VM does, over all of physical memory, and each run takes
 * a core for a while (longer the more memory is being touched). Read from their
 * schedstat every MONITOR_EVERY_MS: [start, end, CPU ms] in epoch milliseconds,
 * to within that period. Nothing where no such thread is visible.
 */
class HostMonitor {
  private readonly pids = pidsByComm(/^kdamond/);
  private readonly runs: [number, number, number][] = [];
  private cpuNs = this.cpuNow();
  private seenAt = clock();
  private readonly timer = this.pids.length > 0 ? setInterval(() => this.look(), MONITOR_EVERY_MS) : undefined;

  stop(): [number, number, number][] {
    clearInterval(this.timer);
    return this.runs;
  }

  private look(): void {
    const now = clock();
    const cpuNs = this.cpuNow();
    if (cpuNs > this.cpuNs) {
      const ms = (cpuNs - this.cpuNs) / 1e6;
      const last = this.runs[this.runs.length - 1];
      // It ran at some time since it was last seen idle.
      if (last && this.seenAt - last[1] < MONITOR_RUN_GAP_MS) {
        last[1] = now;
        last[2] += ms;
      } else this.runs.push([this.seenAt, now, ms]);
    }
    this.cpuNs = cpuNs;
    this.seenAt = now;
  }

  /** Time on a core of every monitor thread, in ns. */
  private cpuNow(): number {
    let ns = 0;
    for (const pid of this.pids) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        /* gone */
      }
    }
    return ns;
  }
}

main().catch((err) => {
  process.stderr.write(`commit probe: ${(err as Error).message}\n`);
  process.exit(1);
});
