import { readFileSync } from 'node:fs';
import { httpJson, openRawSse, type Owner } from '../support/http';
import { now, sleep, summarize, type Summary } from '../support/stats';

/**
 * Scenario 5: fan-out on one gateway.
 *
 * Load: N concurrent SSE connections (cumulative levels, e.g. 1,000 then 5,000
 * then 10,000), all authenticated as ONE venue owner, so one profile update is
 * a change every connection must receive (its VenueSynced). Clients are bare
 * sockets in the bench process (no per-message JSON parse) so the client side
 * stays cheap; up to 200 connects are in flight at once.
 *   connect rate   new connections / time from the first connect to the last `connected`
 *   memory/conn    (gateway RSS at the level − gateway RSS with one client) / N
 *   delivery       PUT sent → each client's receipt of the change (VenueSynced; the
 *                  UserProfileUpdated while the gateway does not route venue changes to their owner) carrying the
 *                  round's marker, over `rounds` updates 1.5 s apart; baseline: the
 *                  same with a single connected client, same run.
 */
export interface FanoutLevel {
  clients: number;
  connectPerSecond: number;
  connectSeconds: number;
  gatewayRssMb: number;
  kbPerConnection: number;
  delivery: Summary;
  /** PUT sent → the last client got it, per round (ms). */
  lastClientMs: number[];
  lost: number;
}

export interface FanoutResult {
  baseline: Summary;
  levels: FanoutLevel[];
}

const rssMb = (pid: number) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const steadyRss = async (pid: number) => {
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) {
    xs.push(rssMb(pid));
    await sleep(200);
  }
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};

interface Client {
  tail: string;
  got: Map<string, number>;
  close(): void;
}

export async function runFanout(opts: { gatewayUrl: string; gatewayPid: number; owner: Owner; levels: number[]; rounds: number; eventType: string; log: (l: string) => void }): Promise<FanoutResult> {
  const url = `${opts.gatewayUrl}/api/sync/events`;
  const clients: Client[] = [];
  let watching: string[] = [];
  const open = async () => {
    const c: Client = { tail: '', got: new Map(), close: () => undefined };
    const conn = await openRawSse(url, opts.owner.token, (text, at) => {
      const seen = c.tail + text;
      for (const m of watching) if (!c.got.has(m) && seen.includes(m) && seen.includes(opts.eventType)) c.got.set(m, at);
      c.tail = seen.slice(-300);
    });
    c.close = conn.close;
    clients.push(c);
  };
  const round = async (tag: string, i: number): Promise<{ latencies: number[]; last: number; lost: number }> => {
    const marker = `fan-${tag}-${i}-${Date.now().toString(36)}`;
    watching = [marker];
    const sent = now();
    const res = await httpJson('PUT', `${opts.gatewayUrl}/api/users/profile`, { profileInfo: { venueDescription: marker } }, { authorization: `Bearer ${opts.owner.token}` });
    if (res.status !== 200) throw new Error(`PUT answered ${res.status}`);
    const deadline = now() + 30_000;
    while (clients.some((c) => !c.got.has(marker)) && now() < deadline) await sleep(10);
    const latencies = clients.filter((c) => c.got.has(marker)).map((c) => c.got.get(marker)! - sent);
    for (const c of clients) c.got.delete(marker);
    return { latencies, last: Math.max(...latencies), lost: clients.length - latencies.length };
  };

  await open();
  const base: number[] = [];
  for (let i = 0; i < Math.max(5, opts.rounds); i++) {
    base.push(...(await round('base', i)).latencies);
    await sleep(300);
  }
  const baseline = summarize(base);
  opts.log(`  fan-out baseline (1 client): p50 ${baseline.p50.toFixed(1)} ms`);
  const rss0 = await steadyRss(opts.gatewayPid);
  const levels: FanoutLevel[] = [];
  for (const target of opts.levels) {
    const need = target - clients.length;
    const t0 = now();
    let next = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        while (next < need) {
          next++;
          await open().catch(() => void failed++);
        }
      }),
    );
    const connectSeconds = (now() - t0) / 1000;
    if (failed) opts.log(`  fan-out: ${failed} connections failed at level ${target}`);
    await sleep(2000);
    const rss = await steadyRss(opts.gatewayPid);
    const lat: number[] = [];
    const lasts: number[] = [];
    let lost = 0;
    for (let i = 0; i < opts.rounds; i++) {
      const r = await round(String(target), i);
      lat.push(...r.latencies);
      lasts.push(Math.round(r.last));
      lost += r.lost;
      await sleep(1500);
    }
    const level: FanoutLevel = {
      clients: clients.length,
      connectPerSecond: Math.round((need - failed) / connectSeconds),
      connectSeconds: Math.round(connectSeconds * 10) / 10,
      gatewayRssMb: Math.round(rss),
      kbPerConnection: Math.round(((rss - rss0) * 1024) / (clients.length - 1)),
      delivery: summarize(lat),
      lastClientMs: lasts,
      lost,
    };
    levels.push(level);
    opts.log(`  fan-out ${level.clients} clients: connect ${level.connectPerSecond}/s, ${level.kbPerConnection} KB/conn, delivery p50 ${level.delivery.p50.toFixed(0)} p99 ${level.delivery.p99.toFixed(0)} ms, lost ${lost}`);
  }
  for (const c of clients) c.close();
  await sleep(1000);
  return { baseline, levels };
}
