import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpJson, type Owner } from '../support/http';
import { sleep, summarize, type Summary } from '../support/stats';
import { wallClock, type FromClients, type ToClients, type Transport } from './fanout-protocol';

/**
 * Scenario 5: fan-out on one gateway.
 *
 * Load: N concurrent SSE connections (cumulative levels, e.g. 1,000 then
 * 10,000) spread over several venue owners: the first owner holds up to
 * `heavy` (1,000) connections, the others share the rest evenly. Then a
 * WebSocket level: `wsClients` WebSocket connections (spread the same way, so
 * the first 1,000 all belong to the heavy owner) opened beside the top SSE
 * level. The clients live in `processes` load-generator child processes
 * (fanout-clients.ts), never in this process: raw sockets, no per-message JSON
 * parse, up to 200 connects in flight in all.
 *   connect rate   new connections / time from asking the children to open them to the last `connected`
 *   memory/conn    SSE: (gateway RSS at the level − gateway RSS with the baseline clients) / new clients;
 *                  WebSocket: (RSS with them − RSS just before they connect) / new WebSocket clients.
 *                  RSS without a forced GC, so garbage not yet collected counts too.
 *   delivery       each round updates every owner that has clients at the level (WebSocket level: the
 *                  owners with WebSocket clients), one at a time: PUT, wait until all that owner's
 *                  clients have the change (or 10 s: lost), 100 ms, next owner. Latency = the PUT
 *                  sent → each client's receipt of the change (the VenueSynced; the UserProfileUpdated
 *                  if the gateway does not route venue changes to their owner) carrying the update's
 *                  marker, both clocks being performance.timeOrigin + performance.now() (fanout-protocol.ts).
 *                  So this is the latency of one change reaching up to 1,000 clients while all the
 *                  others stay connected; not a throughput test. Baseline: the same, with one SSE and
 *                  one WebSocket client of the heavy owner, same run.
 *   gateway CPU    its user + system time during the level's rounds / changes sent to clients.
 */
export interface FanoutLevel {
  transport: Transport;
  /** Clients of `transport` at this level (SSE levels: including the baseline's one). */
  clients: number;
  /** Every open client, both transports. */
  totalClients: number;
  users: number;
  heavyClients: number;
  connectPerSecond: number;
  connectSeconds: number;
  failed: number;
  gatewayRssMb: number;
  kbPerConnection: number;
  /** This level's transport, every client. */
  delivery: Summary;
  /** Only the heavy owner's clients of this transport. */
  heavyDelivery: Summary;
  /** PUT sent → the last of that owner's clients got it, per update (ms). */
  lastClientMs: number[];
  lost: number;
  /** Gateway CPU (user + system) during the level's rounds, per change delivered to a client of either transport (µs). */
  gatewayCpuUsPerDelivery: number;
}

export interface FanoutResult {
  baseline: Summary;
  wsBaseline: Summary;
  processes: number;
  users: number;
  heavy: number;
  levels: FanoutLevel[];
}

export interface FanoutOptions {
  gatewayUrl: string;
  gatewayPid: number;
  /** owners[0] is the heavy one. */
  owners: Owner[];
  levels: number[];
  wsClients: number;
  heavy: number;
  rounds: number;
  eventType: string;
  processes?: number;
  /** Called with the load generators' pids once they run (for the resource sampler). */
  onLoadPids?: (pids: number[]) => void;
  log: (l: string) => void;
}

const IN_FLIGHT = 200;
/** Between one owner's update reaching all its clients and the next owner's PUT. */
const GAP_MS = 100;
const LOST_AFTER_MS = 10_000;

/** utime + stime in seconds (clock ticks of 10 ms). */
const cpuSeconds = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const rssMb = (pid: number) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const steadyRss = async (pid: number) => {
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) {
    xs.push(rssMb(pid));
    await sleep(200);
  }
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};

/** One load-generator child and its replies, awaited by kind. */
class LoadProcess {
  private readonly inbox: FromClients[] = [];
  private readonly waiters: { op: FromClients['op']; resolve: (m: FromClients) => void; reject: (e: Error) => void }[] = [];
  private exited?: Error;

  constructor(readonly child: ChildProcess) {
    child.on('message', (m: FromClients) => {
      const i = this.waiters.findIndex((w) => w.op === m.op);
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(m);
      else this.inbox.push(m);
    });
    child.once('exit', (code, signal) => {
      this.exited = new Error(`a fan-out load generator exited (${signal ?? code})`);
      for (const w of this.waiters.splice(0)) w.reject(this.exited);
    });
  }

  next<K extends FromClients['op']>(op: K): Promise<Extract<FromClients, { op: K }>> {
    const i = this.inbox.findIndex((m) => m.op === op);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0] as Extract<FromClients, { op: K }>);
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => this.waiters.push({ op, resolve: resolve as (m: FromClients) => void, reject }));
  }

  ask<K extends FromClients['op']>(m: ToClients, reply: K): Promise<Extract<FromClients, { op: K }>> {
    this.child.send(m);
    return this.next(reply);
  }

  /** Drops a reply that may or may not have come (a `done` after a round's deadline). */
  forget(op: FromClients['op']): void {
    for (let i = this.inbox.length - 1; i >= 0; i--) if (this.inbox[i].op === op) this.inbox.splice(i, 1);
    for (let i = this.waiters.length - 1; i >= 0; i--) if (this.waiters[i].op === op) this.waiters.splice(i, 1);
  }
}

/** Raises the child's own open-file limit to the hard limit, like the apps' (support/ripple.ts). */
function spawnLoadProcess(): Promise<LoadProcess> {
  const child = spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, join(__dirname, 'fanout-clients.js')], {
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const p = new LoadProcess(child);
  return p.next('ready').then(() => p);
}

const hardFileLimit = () => {
  const v = execFileSync('/bin/sh', ['-c', 'ulimit -Hn']).toString().trim();
  return v === 'unlimited' ? Infinity : Number(v);
};

/** Connections per owner for `total` clients: the heavy owner first, up to `heavy`; the rest shared evenly. */
export function spreadClients(total: number, users: number, heavy: number): number[] {
  const counts = Array.from({ length: users }, () => 0);
  counts[0] = Math.min(heavy, total);
  const rest = total - counts[0];
  const others = users - 1;
  if (others === 0) counts[0] = total;
  else for (let i = 1; i < users; i++) counts[i] = Math.floor(rest / others) + (i - 1 < rest % others ? 1 : 0);
  return counts;
}

export async function runFanout(opts: FanoutOptions): Promise<FanoutResult> {
  const sseUrl = `${opts.gatewayUrl}/api/sync/events`;
  const wsUrl = `${opts.gatewayUrl.replace(/^http/, 'ws')}/api/sync/ws`;
  const tokens = opts.owners.map((o) => o.token);
  const users = opts.owners.length;
  const fdRoom = hardFileLimit() - 1_000;
  const levels = opts.levels.filter((n) => n + opts.wsClients <= fdRoom);
  if (levels.length < opts.levels.length) opts.log(`  fan-out: skipping ${opts.levels.filter((n) => !levels.includes(n)).join(', ')} clients: the gateway's open-file hard limit is ${fdRoom + 1_000}`);

  const children = await Promise.all(Array.from({ length: opts.processes ?? 4 }, spawnLoadProcess));
  opts.onLoadPids?.(children.map((c) => c.child.pid!));
  const held = children.map(() => 0);
  const perUser: Record<Transport, number[]> = { sse: tokens.map(() => 0), ws: tokens.map(() => 0) };
  const failedSoFar: Record<Transport, number> = { sse: 0, ws: 0 };

  /** Opens clients until each owner holds `want[u]` of `transport`, spread over the children. */
  const openUpTo = async (transport: Transport, want: number[]) => {
    const plans: { user: number; transport: Transport }[][] = children.map(() => []);
    // Interleave owners so every child holds a share of each.
    const need = want.map((n, u) => Math.max(0, n - perUser[transport][u]));
    for (let left = need.reduce((a, b) => a + b, 0); left > 0; ) {
      for (let u = 0; u < users; u++) {
        if (need[u] === 0) continue;
        need[u]--;
        left--;
        const c = held.indexOf(Math.min(...held));
        held[c]++;
        plans[c].push({ user: u, transport });
      }
    }
    const t0 = performance.now();
    const replies = await Promise.all(children.map((c, i) => c.ask({ op: 'open', sseUrl, wsUrl, tokens, conns: plans[i], inFlight: Math.ceil(IN_FLIGHT / children.length) }, 'opened')));
    const seconds = (performance.now() - t0) / 1000;
    for (const [i, r] of replies.entries()) held[i] -= r.failed;
    for (const [u, n] of want.entries()) perUser[transport][u] = n;
    const failed = replies.reduce((a, r) => a + r.failed, 0);
    failedSoFar[transport] += failed;
    if (failed) opts.log(`  fan-out: ${failed} ${transport} connections failed (${[...new Set(replies.flatMap((r) => r.errors))].join('; ')})`);
    const opened = replies.reduce((a, r) => a + r.opened, 0);
    return { opened, failed, seconds };
  };

  /** One owner's update, alone: each of its clients' latency from the PUT. */
  const update = async (u: number, tag: string) => {
    const markers = { [u]: `fan-${tag}-u${u}-${Date.now().toString(36)}` };
    await Promise.all(children.map((c) => c.ask({ op: 'watch', markers, eventType: opts.eventType }, 'watching')));
    // Caught here: an update that fails before its deadline must not leave this rejecting unheard when the children exit.
    const allDone = Promise.all(children.map((c) => c.next('done'))).catch(() => undefined);
    const sent = wallClock();
    const res = await httpJson('PUT', `${opts.gatewayUrl}/api/users/profile`, { profileInfo: { venueDescription: markers[u] } }, { authorization: `Bearer ${tokens[u]}` });
    if (res.status !== 200) throw new Error(`PUT answered ${res.status}`);
    await Promise.race([allDone, sleep(Math.max(0, sent + LOST_AFTER_MS - wallClock()))]);
    const receipts = await Promise.all(children.map((c) => c.ask({ op: 'collect' }, 'receipts')));
    // A late `done` arrives before its child's receipts (IPC keeps order): none is left for the next update.
    for (const c of children) c.forget('done');
    const out: Record<Transport, { all: number[]; lost: number }> = { sse: { all: [], lost: 0 }, ws: { all: [], lost: 0 } };
    for (const r of receipts) {
      for (const t of ['sse', 'ws'] as const) {
        for (const ats of Object.values(r.got[t])) out[t].all.push(...ats.map((at) => at - sent));
        for (const n of Object.values(r.missing[t])) out[t].lost += n;
      }
    }
    return out;
  };

  /** `n` rounds; each updates every owner in `owners` in turn, the next once the last one's clients all have theirs. */
  const rounds = async (tag: string, owners: number[], n: number) => {
    const acc: Record<Transport, { all: number[]; heavy: number[]; lost: number; last: number[] }> = { sse: { all: [], heavy: [], lost: 0, last: [] }, ws: { all: [], heavy: [], lost: 0, last: [] } };
    for (let i = 0; i < n; i++) {
      for (const u of owners) {
        const r = await update(u, `${tag}-${i}`);
        for (const t of ['sse', 'ws'] as const) {
          acc[t].all.push(...r[t].all);
          if (u === 0) acc[t].heavy.push(...r[t].all);
          acc[t].lost += r[t].lost;
          if (r[t].all.length) acc[t].last.push(Math.round(Math.max(...r[t].all)));
        }
        await sleep(GAP_MS);
      }
    }
    return acc;
  };

  try {
    // Baseline: one SSE and one WebSocket client of the heavy owner.
    const one = tokens.map((_, u) => (u === 0 ? 1 : 0));
    await openUpTo('sse', one);
    if (opts.wsClients > 0) await openUpTo('ws', one);
    const base = await rounds('base', [0], Math.max(5, opts.rounds));
    const baseline = summarize(base.sse.all);
    const wsBaseline = summarize(base.ws.all);
    opts.log(`  fan-out baseline (1 client): SSE p50 ${baseline.p50.toFixed(1)} ms${opts.wsClients > 0 ? `, WebSocket p50 ${wsBaseline.p50.toFixed(1)} ms` : ''}`);
    const rss0 = await steadyRss(opts.gatewayPid);

    const result: FanoutResult = { baseline, wsBaseline, processes: children.length, users, heavy: opts.heavy, levels: [] };
    const measure = async (transport: Transport, want: number[], rssBefore: number, baseClients: number) => {
      const { opened, failed, seconds } = await openUpTo(transport, want);
      await sleep(2000);
      const rss = await steadyRss(opts.gatewayPid);
      const cpu0 = cpuSeconds(opts.gatewayPid);
      const owners = want.map((n, u) => (n > 0 ? u : -1)).filter((u) => u >= 0);
      const r = await rounds(`${transport}${want.reduce((a, b) => a + b, 0)}`, owners, opts.rounds);
      const cpu = cpuSeconds(opts.gatewayPid) - cpu0;
      const delivered = r.sse.all.length + r.ws.all.length;
      const clients = perUser[transport].reduce((a, b) => a + b, 0) - failedSoFar[transport];
      const level: FanoutLevel = {
        transport,
        clients,
        totalClients: held.reduce((a, b) => a + b, 0),
        users: perUser[transport].filter((n) => n > 0).length,
        heavyClients: perUser[transport][0],
        connectPerSecond: Math.round(opened / seconds),
        connectSeconds: Math.round(seconds * 10) / 10,
        failed,
        gatewayRssMb: Math.round(rss),
        kbPerConnection: Math.round(((rss - rssBefore) * 1024) / Math.max(1, clients - baseClients)),
        delivery: summarize(r[transport].all),
        heavyDelivery: summarize(r[transport].heavy),
        lastClientMs: r[transport].last,
        lost: r[transport].lost,
        // Each update is two feed rows (UserProfileUpdated, VenueSynced), both sent to each of the owner's clients.
        gatewayCpuUsPerDelivery: Math.round((cpu * 1e6) / Math.max(1, 2 * delivered)),
      };
      result.levels.push(level);
      opts.log(`  fan-out ${level.clients} ${transport} clients (${level.totalClients} open, ${level.users} owners): connect ${level.connectPerSecond}/s, ${level.kbPerConnection} KB/conn, delivery p50 ${level.delivery.p50.toFixed(0)} p99 ${level.delivery.p99.toFixed(0)} max ${level.delivery.max.toFixed(0)} ms, lost ${level.lost}, gateway CPU ${level.gatewayCpuUsPerDelivery} µs per change sent`);
    };
    for (const target of levels) await measure('sse', spreadClients(target, users, opts.heavy), rss0, 1);
    if (opts.wsClients > 0) await measure('ws', spreadClients(opts.wsClients, users, opts.heavy), await steadyRss(opts.gatewayPid), 1);
    return result;
  } finally {
    for (const c of children) {
      if (c.child.exitCode !== null) continue;
      c.child.send({ op: 'exit' } satisfies ToClients);
      const exited = new Promise((r) => c.child.once('exit', r));
      await Promise.race([exited, sleep(5000)]);
      if (c.child.exitCode === null) c.child.kill('SIGKILL');
    }
    await sleep(1000);
  }
}
