import { Client } from 'pg';
import { CommitProbe, overlapsStall, STALL_MS, type CommitFloor } from '../support/commit-probe';
import { openLoop } from '../support/load';
import { ResourceSampler, type ProcessGroup, type ResourceUse } from '../support/resources';
import { now, sleep, summarize, type Summary } from '../support/stats';

/**
 * Scenarios 1 and 6: propagation latency under open-loop load.
 *
 * Load: `rate` profile updates per second for `seconds`, spread round-robin over
 * the venue owners, each update setting venueDescription to a unique marker.
 * Each request is scheduled by the clock (openLoop) and every stage is timed
 * from its scheduled time, on the bench's one monotonic clock:
 *   accepted  scheduled → the 2xx answer to PUT (the command committed)
 *   row       scheduled → the venue row holding the marker written, in the
 *             transaction that commits it (Ripple: recordVenueRows; alternatives:
 *             the row commits with the request)
 *   sse       scheduled → the owner's SSE client parsed the change carrying the marker
 *   ssep      scheduled → the owner's SSE client parsed the profile change itself
 *             (UserProfileUpdated, profiles → gateway feed; reported beside, not a stage)
 * End to end = sse when the system has an SSE path, else row. A sample that has
 * not arrived 10 s after the last request was sent counts as lost.
 */
export interface Sample {
  scheduled: number;
  accepted?: number;
  row?: number;
  sse?: number;
  /** The owner's SSE client got the profile change itself (UserProfileUpdated), which travels beside the venue path. */
  ssep?: number;
}

export interface RateResult {
  rate: number;
  sent: number;
  errors: number;
  /** Failed requests by cause (HTTP status or client error). */
  errorKinds: Record<string, number>;
  lost: number;
  /** Updates superseded in the venue row by a later one of the same owner in the same batch (timed at that row's commit). */
  coalescedInRow: number;
  accepted: Summary;
  row: Summary;
  sse?: Summary;
  /** Scheduled → the owner's SSE client got the UserProfileUpdated (side path, when tracked). */
  sseProfile?: Summary;
  endToEnd: Summary;
  /** Mean time in each stage / mean end-to-end time. */
  shares: Record<string, number>;
  /** How late the generator fired requests (timer jitter on a busy box). */
  generatorLateMs: Summary;
  /**
   * The system's processes in this rate's window (its load, then until the last update arrived):
   * CPU and run-queue wait, for CPU per update at this rate.
   */
  resources?: ResourceUse[];
  /** The commit probe beside this rate's window (see CommitProbe), when the system has a database. */
  commitFloor?: CommitFloorResult;
}

export interface CommitFloorResult {
  /** One-row commits of the probe in the window. */
  commits: Summary;
  /** Probe commits slower than STALL_MS, and the longest. */
  stalls: number;
  longestStallMs: number;
  /** Updates whose path (scheduled → end to end) overlapped a stall; and end to end of the others. */
  overlapped: number;
  endToEndBesideStalls: Summary;
  /** The host's memory monitor (kdamond) in the window, where the host runs one (see CommitFloor.monitorRuns). */
  monitor?: HostMonitorResult;
}

export interface HostMonitorResult {
  runs: number;
  /** Its CPU per run. */
  cpuMs: Summary;
  /** Updates whose path overlapped one of its runs or the MONITOR_AFTERMATH_MS after it; and end to end of the others. */
  overlapped: number;
  endToEndBeside: Summary;
}

/** Milliseconds of CPU (and of waiting for a core) per update sent, summed over the system's processes. */
export function perUpdate(x: RateResult): { cpuMs: number; runQueueMs: number } | undefined {
  if (!x.resources || !x.sent) return undefined;
  const sum = (f: (u: ResourceUse) => number) => (x.resources!.reduce((n, u) => n + f(u), 0) * 1000) / x.sent;
  return { cpuMs: sum((u) => u.cpuSeconds), runQueueMs: sum((u) => u.runQueueSeconds ?? 0) };
}

export interface Stages {
  /** The stages this system reports, in order (accepted is always first). */
  stages: ('accepted' | 'row' | 'sse')[];
}

export class Tracker {
  readonly samples = new Map<string, Sample>();
  /** Owners the load rotates over: update i and i − owners, i − 2·owners, … are the same owner's. */
  ownerCount = 1;
  /** Updates whose own marker never reached the row because a later one of the same owner landed in the same batch. */
  coalesced = 0;
  /** Marks the rows written since the last call (recordVenueRows), where they are read rather than pushed. */
  collectRows?: () => Promise<void>;
  mark(marker: string, stage: 'accepted' | 'row' | 'sse' | 'ssep', at: number): void {
    const s = this.samples.get(marker);
    if (s && s[stage] === undefined) s[stage] = at;
  }
  /**
   * The projection folds a batch per owner and writes only the latest row, so an
   * update superseded within one batch is never seen in the row by itself: the
   * row carrying a later marker of the same owner covers every earlier one still waiting.
   */
  markRow(marker: string, at: number): void {
    this.mark(marker, 'row', at);
    const m = /^(.*)-(\d+)$/.exec(marker);
    if (!m) return;
    for (let j = Number(m[2]) - this.ownerCount; j >= 0; j -= this.ownerCount) {
      const earlier = this.samples.get(`${m[1]}-${j}`);
      if (!earlier || earlier.row !== undefined) break;
      earlier.row = at;
      this.coalesced++;
    }
  }
}

/**
 * Times each write of a Ripple's venue rows (`venues.venues`) for `tracker`, without touching
 * the path it times: a trigger adds the row's description and `clock_timestamp()` to an UNLOGGED
 * table (no WAL, no flush, no NOTIFY), and `tracker.collectRows` reads them back (on PostgreSQL's
 * clock, the host's, turned into the bench's by `performance.timeOrigin`). The record commits or
 * rolls back with the row, so a batch whose speculation failed leaves none. Its time is the
 * row's write; the COMMIT follows in the same round trip or the next.
 *
 * Until the thirtieth session the trigger NOTIFYed the bench instead, and stayed on through
 * scenarios 2 and 5. PostgreSQL wakes every backend LISTENing in the database at each NOTIFY,
 * whatever its channel: at 100/s (`per-process-cost.js`, alternated four times) that was one more
 * wake-up per update for each of the five outbox relays' listeners, the gateway's and the bench's,
 * 52.0–53.5 wake-ups per update against 43.9–46.7 without it (45.6 / 46.2 with this table), and
 * −0.5 to +1.5 ms of CPU per update (inside the noise between runs).
 */
export async function recordVenueRows(databaseUrl: string, tracker: Tracker): Promise<{ stop: () => Promise<void> }> {
  const db = new Client({ connectionString: databaseUrl });
  // The database may be dropped under it (a hosted stack's, as it stops): no crash for a connection cut.
  db.on('error', () => undefined);
  await db.connect();
  await db.query(`CREATE UNLOGGED TABLE IF NOT EXISTS public.bench_venue_rows (description text NOT NULL, at float8 NOT NULL)`);
  await db.query(`CREATE OR REPLACE FUNCTION public.bench_venue_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO public.bench_venue_rows VALUES (NEW.description, extract(epoch FROM clock_timestamp()) * 1000); RETURN NEW; END $$`);
  await db.query('CREATE TRIGGER bench_venue_row AFTER UPDATE ON venues.venues FOR EACH ROW EXECUTE FUNCTION public.bench_venue_row()');
  // In the order written: markRow lets a row stand for the earlier markers of its owner not seen yet.
  tracker.collectRows = async () => {
    const { rows } = await db.query<{ description: string; at: number }>('WITH d AS (DELETE FROM public.bench_venue_rows RETURNING description, at) SELECT * FROM d ORDER BY at');
    for (const r of rows) tracker.markRow(r.description, r.at - performance.timeOrigin);
  };
  return {
    stop: async () => {
      tracker.collectRows = undefined;
      await db.query('DROP TRIGGER IF EXISTS bench_venue_row ON venues.venues; DROP TABLE IF EXISTS public.bench_venue_rows');
      await db.end();
    },
  };
}

export async function runRates(opts: {
  rates: number[];
  seconds: number;
  ownerCount: number;
  tag: string;
  tracker: Tracker;
  stages: ('accepted' | 'row' | 'sse')[];
  /** Sends the update for owner `o` with `marker`; true on 2xx. Row/SSE marks come from the tracker's observers. */
  put: (o: number, marker: string) => Promise<number>;
  /** For systems whose venue row commits with the request. */
  rowIsAccepted?: boolean;
  /** Also wait for and summarize the side stage `ssep`. */
  trackProfileSse?: boolean;
  /** The system's processes (not the load generator's): their CPU and run-queue wait are sampled per rate. */
  processes?: ProcessGroup[];
  /** The system's database: a CommitProbe commits beside each rate's load to show the commit path's own stalls. */
  databaseUrl?: string;
  log: (line: string) => void;
}): Promise<RateResult[]> {
  const results: RateResult[] = [];
  opts.tracker.ownerCount = opts.ownerCount;
  const last = opts.stages[opts.stages.length - 1];
  for (const rate of opts.rates) {
    const markers: string[] = [];
    opts.tracker.coalesced = 0;
    // Once a second: CPU and run-queue wait are counters (read at both ends); the samples in between only catch processes that come and go.
    const sampler = opts.processes ? new ResourceSampler(opts.processes, 1000) : undefined;
    sampler?.start();
    const probe = opts.databaseUrl ? new CommitProbe(opts.databaseUrl) : undefined;
    await probe?.start();
    const run = await openLoop(rate, opts.seconds, async (i, scheduledAt) => {
      const marker = `${opts.tag}-${rate}-${i}`;
      markers.push(marker);
      opts.tracker.samples.set(marker, { scheduled: scheduledAt });
      const status = await opts.put(i % opts.ownerCount, marker);
      if (status < 200 || status > 299) throw new Error(`HTTP ${status}`);
      const at = now();
      opts.tracker.mark(marker, 'accepted', at);
      if (opts.rowIsAccepted) opts.tracker.mark(marker, 'row', at);
    });
    const deadline = now() + 10_000;
    const done = () => markers.every((m) => opts.tracker.samples.get(m)![last] !== undefined && (!opts.trackProfileSse || opts.tracker.samples.get(m)!.ssep !== undefined));
    while (!done() && now() < deadline) {
      if (last === 'row') await opts.tracker.collectRows?.();
      await sleep(20);
    }
    // Every row the SSE client has seen committed before it was sent, so it is there to read now.
    await opts.tracker.collectRows?.();
    const resources = sampler?.stop();
    const floor = await probe?.stop();
    const samples = markers.map((m) => opts.tracker.samples.get(m)!);
    const complete = samples.filter((s) => s[last] !== undefined);
    const dur = (from: keyof Sample, to: keyof Sample) => complete.filter((s) => s[from] !== undefined && s[to] !== undefined).map((s) => s[to]! - s[from]!);
    const endToEnd = summarize(dur('scheduled', last));
    const stageMeans: Record<string, number> = {};
    let prev: keyof Sample = 'scheduled';
    for (const st of opts.stages) {
      const name = st === 'accepted' ? 'command (to 2xx)' : st === 'row' ? 'projection (2xx → venue row)' : 'push (venue row → SSE client)';
      stageMeans[name] = summarize(dur(prev, st)).mean;
      prev = st;
    }
    const shares = Object.fromEntries(Object.entries(stageMeans).map(([k, v]) => [k, endToEnd.mean > 0 ? Math.round((v / endToEnd.mean) * 1000) / 10 : NaN]));
    const result: RateResult = {
      rate,
      sent: run.sent,
      errors: run.errors,
      errorKinds: run.errorKinds,
      coalescedInRow: opts.tracker.coalesced,
      lost: samples.length - complete.length - run.errors,
      accepted: summarize(dur('scheduled', 'accepted')),
      row: summarize(dur('scheduled', 'row')),
      ...(opts.stages.includes('sse') ? { sse: summarize(dur('scheduled', 'sse')) } : {}),
      ...(opts.trackProfileSse ? { sseProfile: summarize(samples.filter((x) => x.ssep !== undefined).map((x) => x.ssep! - x.scheduled)) } : {}),
      endToEnd,
      shares,
      generatorLateMs: run.lateMs,
      ...(resources ? { resources } : {}),
      ...(floor ? { commitFloor: besideStalls(floor, complete, last) } : {}),
    };
    results.push(result);
    const cost = perUpdate(result);
    const f = result.commitFloor;
    opts.log(`  ${opts.tag} ${rate}/s: end-to-end p50 ${endToEnd.p50.toFixed(1)} p99 ${endToEnd.p99.toFixed(1)} max ${endToEnd.max.toFixed(1)} ms; errors ${run.errors}${run.errors ? ` ${JSON.stringify(run.errorKinds)}` : ''}, lost ${result.lost}${cost ? `; CPU ${cost.cpuMs.toFixed(2)} ms and run-queue wait ${cost.runQueueMs.toFixed(2)} ms per update` : ''}${f ? `; commit probe p99 ${f.commits.p99.toFixed(1)} max ${f.commits.max.toFixed(1)} ms, ${f.stalls} stalls > ${STALL_MS} ms overlapping ${f.overlapped} updates (p99 of the rest ${f.endToEndBesideStalls.p99.toFixed(1)} ms)` : ''}${f?.monitor ? `; kdamond ran ${f.monitor.runs} times, ${f.monitor.cpuMs.p50.toFixed(1)} ms each (p50), beside ${f.monitor.overlapped} updates (p99 of the rest ${f.monitor.endToEndBeside.p99.toFixed(1)} ms)` : ''}`);
    for (const m of markers) opts.tracker.samples.delete(m);
    await sleep(1500);
  }
  return results;
}

/**
 * How long a run of the host's memory monitor still counts once it ended: the work queued behind
 * it drains meanwhile. At 100/s (twenty-seventh session) updates sent 0–30 ms after a run began
 * reached their SSE client in 29 ms at the median, 30–60 ms after in 16 ms, 60–90 ms after in
 * 12 ms, and later ones in 10–11 ms; the runs took 15–19 ms of CPU.
 */
const MONITOR_AFTERMATH_MS = 50;

/** The probe's figures, and end to end of the updates whose path no commit stall (and, apart, no run of the host's monitor) overlapped. */
function besideStalls({ commits, stalls, monitorRuns }: CommitFloor, complete: Sample[], last: keyof Sample): CommitFloorResult {
  const beside = (intervals: readonly (readonly number[])[]) => complete.filter((s) => !overlapsStall(s.scheduled, s[last]!, intervals));
  const endToEnd = (samples: Sample[]) => summarize(samples.map((s) => s[last]! - s.scheduled));
  const clear = beside(stalls);
  const clearOfMonitor = beside(monitorRuns.map(([from, to]) => [from, to + MONITOR_AFTERMATH_MS]));
  return {
    commits,
    stalls: stalls.length,
    longestStallMs: stalls.reduce((m, [a, b]) => Math.max(m, b - a), 0),
    overlapped: complete.length - clear.length,
    endToEndBesideStalls: endToEnd(clear),
    ...(monitorRuns.length > 0
      ? { monitor: { runs: monitorRuns.length, cpuMs: summarize(monitorRuns.map(([, , ms]) => ms)), overlapped: complete.length - clearOfMonitor.length, endToEndBeside: endToEnd(clearOfMonitor) } }
      : {}),
  };
}

/** The highest offered rate, climbing from the lowest, at which every update arrived and p99 end to end stayed under `limitMs`. */
export function highestRateUnder(results: RateResult[], limitMs = 100): number | null {
  let best: number | null = null;
  for (const r of results) {
    if (r.errors === 0 && r.lost === 0 && r.endToEnd.p99 < limitMs) best = r.rate;
    else break;
  }
  return best;
}
