import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { measuringPids } from './resources';
import { summarize, type Summary } from './stats';

/** A probe commit slower than this is a stall of the database's commit path (the disk's fdatasync, here). */
export const STALL_MS = 100;

/** How often the probe commits. */
const EVERY_MS = 50;

export interface CommitFloor {
  /** The probe's one-row commits in the window, timed in its own process. */
  commits: Summary;
  /** Probe commits slower than STALL_MS, as [start, end] on the bench's clock (performance.now of the measuring process). */
  stalls: [number, number][];
  /**
   * The runs of the host's memory monitor (kdamond) in the window, as [start, end, CPU ms] on the
   * bench's clock; empty where the host runs none. Each takes a core while it runs.
   */
  monitorRuns: [number, number, number][];
}

/**
 * The floor under every commit of the system measured beside it: a process of its own
 * (the load generator's event loop would add its own delays to a probe run in it)
 * commits a one-row upsert every EVERY_MS on its own connection, with fsync as
 * PostgreSQL is configured (synchronous_commit on), and times each. On this VM an
 * fdatasync on its own stalls for up to about half a second every few seconds,
 * whoever asks; every commit queued behind the WAL flush waits that long, so an
 * update whose path held a commit then is late by as much. The probe says when
 * that happened; the system's own figures are reported unchanged beside it. Its
 * PostgreSQL backend is left out of the system's CPU (measuringPids); the disk and
 * the WAL it shares with the system, as any client would. The same process also
 * notes when the host's memory monitor ran (kdamond: see commit-probe-process.ts).
 */
export class CommitProbe {
  private child?: ChildProcess;
  private backendPid?: number;

  constructor(private readonly databaseUrl: string) {}

  async start(): Promise<void> {
    const child = fork(join(__dirname, 'commit-probe-process.js'), [], { env: { PATH: process.env.PATH, DATABASE_URL: this.databaseUrl, EVERY_MS: String(EVERY_MS) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child = child;
    this.backendPid = await new Promise<number>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { backendPid: number }).backendPid));
      child.once('exit', (code) => reject(new Error(`the commit probe exited with ${code} before it started`)));
    });
    // Its backend's CPU is the bench's, not the system's.
    measuringPids.add(this.backendPid);
  }

  /** Ends the probe and returns what it measured since start. */
  async stop(): Promise<CommitFloor> {
    const child = this.child!;
    this.child = undefined;
    const reported = await new Promise<ProbeReport>((resolve, reject) => {
      child.once('message', (m) => resolve(m as ProbeReport));
      child.once('exit', (code) => reject(new Error(`the commit probe exited with ${code} before it reported`)));
      child.send('stop');
    });
    measuringPids.delete(this.backendPid!);
    // Both processes' performance.timeOrigin + now() read the same system clock.
    const local = (epochMs: number) => epochMs - performance.timeOrigin;
    const commits = reported.commits.map(([from, to]): [number, number] => [local(from), local(to)]);
    const monitorRuns = reported.monitorRuns.map(([from, to, ms]): [number, number, number] => [local(from), local(to), ms]);
    return { commits: summarize(commits.map(([from, to]) => to - from)), stalls: commits.filter(([from, to]) => to - from > STALL_MS), monitorRuns };
  }
}

/** What the probe's process reports when stopped (commit-probe-process.ts), in epoch milliseconds. */
interface ProbeReport {
  commits: [number, number][];
  monitorRuns: [number, number, number][];
}

/** Whether [from, to] overlaps any of `stalls` (or of the monitor's runs). */
export const overlapsStall = (from: number, to: number, stalls: readonly (readonly number[])[]) => stalls.some(([a, b]) => a < to && b > from);
