import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface HotFunction {
  /** `name (file:line)`, paths relative to the repository or node_modules. */
  fn: string;
  selfMs: number;
  share: number;
}

export interface CpuSummary {
  totalMs: number;
  /** Samples not idle (GC included), in ms. */
  busyMs: number;
  /** Busy time (everything but idle and the GC's own bucket is counted; GC is listed). */
  top: HotFunction[];
  /** Self time grouped by where the code lives: a package, node:internal, our own code, GC, idle. */
  byOrigin: { origin: string; selfMs: number; share: number }[];
}

const shortUrl = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(/^.*\/(apps|libs)\//, '$1/');

function originOf(url: string, name: string): string {
  if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') return name;
  if (!url) return '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node:internal';
  const own = /\/(apps|libs)\/([^/]+)\//.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

/** Now on the clock V8 stamps profile samples with (CLOCK_MONOTONIC, µs), for `window`. */
export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Self time per function from a V8 .cpuprofile, the busiest first. With `window`
 * (µs on the monotonic clock, see monotonicMicros), only samples taken inside it
 * count, so start-up and shutdown stay out of a profile taken under load.
 */
export function summarizeCpuProfile(path: string, limit = 15, window?: { fromUs: number; toUs: number }): CpuSummary {
  const p = JSON.parse(readFileSync(path, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
  const hits = new Map<number, number>();
  let t = p.startTime;
  let counted = 0;
  let spanUs = 0;
  p.samples.forEach((id, i) => {
    const delta = p.timeDeltas[i] ?? 0;
    t += delta;
    if (window && (t < window.fromUs || t > window.toUs)) return;
    hits.set(id, (hits.get(id) ?? 0) + 1);
    counted++;
    spanUs += delta;
  });
  const totalMs = spanUs / 1000;
  const perSample = totalMs / Math.max(1, counted);
  const byFn = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  for (const node of p.nodes) {
    const n = hits.get(node.id) ?? 0;
    if (n === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const key = url ? `${name} (${shortUrl(url)}:${lineNumber + 1})` : name;
    byFn.set(key, (byFn.get(key) ?? 0) + n * perSample);
    const origin = originOf(url, name);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + n * perSample);
  }
  const busy = [...byOrigin.entries()].filter(([o]) => o !== '(idle)').reduce((s, [, v]) => s + v, 0);
  const rank = <T extends { selfMs: number }>(xs: T[]) => xs.sort((a, b) => b.selfMs - a.selfMs);
  return {
    totalMs,
    busyMs: busy,
    top: rank([...byFn.entries()].filter(([k]) => k !== '(idle)').map(([fn, selfMs]) => ({ fn, selfMs, share: selfMs / busy }))).slice(0, limit),
    byOrigin: rank([...byOrigin.entries()].filter(([o]) => o !== '(idle)').map(([origin, selfMs]) => ({ origin, selfMs, share: selfMs / busy }))).slice(0, limit),
  };
}
