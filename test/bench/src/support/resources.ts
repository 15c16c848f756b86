import { readdirSync, readFileSync } from 'node:fs';

/**
 * Scenario 7's sampler: CPU and RSS of processes, read from /proc every
 * `intervalMs`. CPU = (utime+stime) consumed during the window / wall time, in
 * percent of one core. Peak RSS = the highest VmRSS sampled in the window (summed
 * over the group's processes). For PostgreSQL, every
 * postgres process is summed (postmaster, backends, background workers); their
 * RSS counts shared buffers once per process that touched them, so the peak of
 * the summed RssAnon (private memory) is reported alongside.
 */
const CLK_TCK = 100; // getconf CLK_TCK on Linux x86-64/arm64

/** The bench's own process group: same work for every system, left out of their CPU figures. */
export const LOAD_GENERATOR = 'bench (load generator)';

export interface ProcessGroup {
  name: string;
  /** Pids now; re-evaluated at each sample (postgres backends come and go). */
  pids: () => number[];
}

export interface ResourceUse {
  name: string;
  cpuPercent: number;
  cpuSeconds: number;
  /**
   * Time its threads spent runnable but waiting for a core (/proc/<pid>/task/<tid>/schedstat,
   * second field), in seconds: what CPU contention added to its latency in the window.
   */
  runQueueSeconds?: number;
  peakRssMb: number;
  peakAnonMb?: number;
  processes: number;
}

function readTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the full line)
  } catch {
    return undefined;
  }
}

/** Nanoseconds every thread of `pid` has waited on a run queue (0 where schedstats are not kept). */
function readRunQueueNs(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
      } catch {
        /* thread gone */
      }
    }
    return ns;
  } catch {
    return undefined;
  }
}

function readStatus(pid: number): { rssKb: number; anonKb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rssKb: kb('VmRSS'), anonKb: kb('RssAnon') };
  } catch {
    return undefined;
  }
}

/** Processes the bench runs beside a system to measure it (the commit probe's PostgreSQL backend): never counted as the system's. */
export const measuringPids = new Set<number>();

/** Pids whose executable name (comm) is `comm` (e.g. nats-server, postgres), or matches it. */
export function pidsByComm(comm: string | RegExp): number[] {
  const matches = typeof comm === 'string' ? (name: string) => name === comm : (name: string) => comm.test(name);
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || measuringPids.has(Number(entry))) continue;
    try {
      if (matches(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) out.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return out;
}

export class ResourceSampler {
  private timer?: NodeJS.Timeout;
  private readonly startTicks = new Map<string, Map<number, number>>();
  private readonly lastTicks = new Map<string, Map<number, number>>();
  private readonly startWait = new Map<string, Map<number, number>>();
  private readonly lastWait = new Map<string, Map<number, number>>();
  private readonly peakRss = new Map<string, number>();
  private readonly peakAnon = new Map<string, number>();
  private readonly seen = new Map<string, Set<number>>();
  private started = 0;

  constructor(private readonly groups: ProcessGroup[], private readonly intervalMs = 200) {}

  start(): void {
    this.started = performance.now();
    for (const g of this.groups) {
      this.startTicks.set(g.name, new Map());
      this.lastTicks.set(g.name, new Map());
      this.startWait.set(g.name, new Map());
      this.lastWait.set(g.name, new Map());
      this.seen.set(g.name, new Set());
      this.peakRss.set(g.name, 0);
      this.peakAnon.set(g.name, 0);
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    for (const g of this.groups) {
      let rss = 0;
      let anon = 0;
      for (const pid of g.pids()) {
        const ticks = readTicks(pid);
        const st = readStatus(pid);
        if (ticks === undefined || !st) continue;
        // A process first seen mid-window (a new postgres backend) is counted from its first sample.
        if (!this.startTicks.get(g.name)!.has(pid)) this.startTicks.get(g.name)!.set(pid, ticks);
        this.seen.get(g.name)!.add(pid);
        this.lastTicks.get(g.name)!.set(pid, ticks);
        const wait = readRunQueueNs(pid);
        if (wait !== undefined) {
          if (!this.startWait.get(g.name)!.has(pid)) this.startWait.get(g.name)!.set(pid, wait);
          this.lastWait.get(g.name)!.set(pid, wait);
        }
        rss += st.rssKb;
        anon += st.anonKb;
      }
      this.peakRss.set(g.name, Math.max(this.peakRss.get(g.name)!, rss));
      this.peakAnon.set(g.name, Math.max(this.peakAnon.get(g.name)!, anon));
    }
  }

  stop(): ResourceUse[] {
    clearInterval(this.timer);
    this.sample();
    const wall = (performance.now() - this.started) / 1000;
    return this.groups.map((g) => {
      let ticks = 0;
      for (const [pid, last] of this.lastTicks.get(g.name)!) ticks += last - (this.startTicks.get(g.name)!.get(pid) ?? last);
      const cpuSeconds = ticks / CLK_TCK;
      let waitNs = 0;
      for (const [pid, last] of this.lastWait.get(g.name)!) waitNs += last - (this.startWait.get(g.name)!.get(pid) ?? last);
      return {
        name: g.name,
        cpuSeconds: Math.round(cpuSeconds * 100) / 100,
        runQueueSeconds: Math.round(waitNs / 1e7) / 100,
        cpuPercent: Math.round((cpuSeconds / wall) * 1000) / 10,
        peakRssMb: Math.round(this.peakRss.get(g.name)! / 102.4) / 10,
        ...(g.name === 'postgres' ? { peakAnonMb: Math.round(this.peakAnon.get(g.name)! / 102.4) / 10 } : {}),
        processes: this.seen.get(g.name)!.size,
      };
    });
  }
}
