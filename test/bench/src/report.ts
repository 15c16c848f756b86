import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResults } from './run';
import { RAW_TOPOLOGY_EDGE_TARGET, RAW_TOPOLOGY_TARGET } from './scenarios/command';
import { perUpdate, type RateResult } from './scenarios/propagation';
import { LOAD_GENERATOR } from './support/resources';
import type { Summary } from './support/stats';

const RESULTS = join(__dirname, '..', 'results');

const ms = (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : '—');
const pct = (s?: Summary) => (s && s.n ? `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)} / ${ms(s.max)}` : '—');
const ratio = (a?: number | null, b?: number | null) => (a && b && Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}×` : '—');
const num = (v?: number | null) => (v === undefined || v === null ? '—' : v.toLocaleString('en-US'));

/** Writes latest.json and latest.md; returns the Markdown. */
export function writeResults(r: BenchResults): string {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'latest.json'), JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 100) / 100 : v), 2) + '\n');
  const md = markdown(r);
  writeFileSync(join(RESULTS, 'latest.md'), md);
  return md;
}

function markdown(r: BenchResults): string {
  const out: string[] = [];
  out.push(`### Benchmarks (${r.profile} profile, ${r.date.slice(0, 10)})`, '', `Machine: ${r.machine}. Run took ${r.durationSeconds ?? '?'} s. SSE endpoint: ${r.sse.available ? 'available' : `**not available** (${r.sse.detail})`}${r.sse.venueChangeDetail ? `; venue change to its owner over SSE: ${r.sse.venueChange ? 'yes' : `**not available** (${r.sse.venueChangeDetail})`}` : ''}.`, '');
  out.push('Latencies in ms as p50 / p95 / p99 / max; ratio = Ripple ÷ baseline (for latencies, above 1 means Ripple is slower; for rates, above 1 means Ripple is faster).', '');
  out.push('| # | scenario | Ripple | baseline (same run) | baseline value | ratio |', '| --- | --- | --- | --- | --- | --- |');
  const stage = r.propagation?.stage === 'sse' ? 'to the SSE client' : 'to the venue row (venue change over SSE not available)';
  const trig = new Map((r.alternatives?.trigger ?? []).map((x) => [x.rate, x]));
  const sync = new Map((r.alternatives?.sync ?? []).map((x) => [x.rate, x]));
  for (const x of r.propagation?.ripple ?? []) {
    const base = r.propagation?.stage === 'sse' ? trig.get(x.rate) : sync.get(x.rate);
    const baseName = r.propagation?.stage === 'sse' ? '6b trigger + NOTIFY → SSE' : '6a synchronous (row committed)';
    out.push(`| 1 | propagation at ${x.rate}/s, ${stage}${lossNote(x)} | ${pct(x.endToEnd)} | ${baseName} | ${base ? pct(base.endToEnd) : '—'} | p99 ${ratio(x.endToEnd.p99, base?.endToEnd.p99)} |`);
  }
  if (r.propagation) {
    const baseHigh = r.propagation.stage === 'sse' ? r.alternatives?.triggerHighest : r.alternatives?.syncHighest;
    out.push(`| 1 | highest offered rate with p99 < 100 ms (of those tried) | ${r.propagation.highestRateP99Under100 ?? 'none'}/s | ${r.propagation.stage === 'sse' ? '6b trigger' : '6a synchronous'} | ${baseHigh ?? 'none'}/s | ${ratio(r.propagation.highestRateP99Under100, baseHigh)} |`);
  }
  const cpu = cpuPerUpdate(r);
  if (cpu) {
    out.push(`| 1 | CPU per update, every process of the pipeline (scenario 1's window: CPU seconds ÷ updates sent) | ${cpu.ripple.total.toFixed(2)} ms | 6b trigger + NOTIFY → SSE (server and PostgreSQL, scenario 6b's window) | ${cpu.trigger.total.toFixed(2)} ms | ${ratio(cpu.ripple.total, cpu.trigger.total)} |`);
  }
  for (const row of costByRate(r).filter((c) => c.rate === COST_RATE)) {
    if (row.ripple && row.trigger) out.push(`| 1 | … at ${row.rate}/s alone: CPU per update; run-queue wait per update (every process, time runnable but waiting for a core) | ${row.ripple.cpuMs.toFixed(2)} ms; ${row.ripple.runQueueMs.toFixed(2)} ms | 6b trigger + NOTIFY → SSE at ${row.rate}/s | ${row.trigger.cpuMs.toFixed(2)} ms; ${row.trigger.runQueueMs.toFixed(2)} ms | ${ratio(row.ripple.cpuMs, row.trigger.cpuMs)} |`);
  }
  for (const c of r.command ?? []) {
    if (c.target !== 'gateway') continue;
    const direct = r.command!.find((d) => d.target === 'profiles (direct)' && d.concurrency === c.concurrency);
    const alt = r.command!.find((d) => d.target.startsWith('alternative') && d.concurrency === c.concurrency);
    const bare = r.command!.find((d) => d.target.startsWith('bare') && d.concurrency === c.concurrency);
    out.push(`| 2 | PUT /api/users/profile via gateway, concurrency ${c.concurrency}: req/s | ${num(c.perSecond)} | direct to profiles | ${num(direct?.perSecond)} | ${ratio(c.perSecond, direct?.perSecond)} |`);
    const alone = r.command!.find((d) => d.target.startsWith('profiles alone') && d.concurrency === c.concurrency);
    if (alone) out.push(`| 2 | … the command alone: direct to profiles with every other app paused (no propagation competing for the cores): req/s | ${num(alone.perSecond)} | 6a handler (user + venue row, one tx) | ${num(alt?.perSecond)} | ${ratio(alone.perSecond, alt?.perSecond)} |`);
    if (bare) out.push(`| 2 | … the floor of one hop: a bare Node proxy (keep-alive, pipe) in front of profiles: req/s | ${num(bare.perSecond)} | direct to profiles | ${num(direct?.perSecond)} | ${ratio(bare.perSecond, direct?.perSecond)} |`);
    const topology = r.command!.find((d) => d.target === RAW_TOPOLOGY_TARGET && d.concurrency === c.concurrency);
    if (topology) {
      out.push(`| 2 | … the floor of direct's topology: the same three services' writes done raw (alternative c: a plain HTTP handler and two consumers, batched writes, publishes without PubAck, no guarantees): req/s | ${num(topology.perSecond)} | 6a handler (user + venue row, one tx) | ${num(alt?.perSecond)} | ${ratio(topology.perSecond, alt?.perSecond)} |`);
      out.push(`| 2 | … direct to profiles: req/s | ${num(direct?.perSecond)} | the topology done raw (c) | ${num(topology.perSecond)} | ${ratio(direct?.perSecond, topology.perSecond)} |`);
    }
    const edge = r.command!.find((d) => d.target === RAW_TOPOLOGY_EDGE_TARGET && d.concurrency === c.concurrency);
    if (edge) out.push(`| 2 | … the same with its command behind Ripple's HTTP edge (alternative d: Nest on Fastify as every service's edge, the profiles app's DTO, strict validation pipe and bearer guard, then the same raw write): req/s | ${num(edge.perSecond)} | 6a handler (user + venue row, one tx) | ${num(alt?.perSecond)} | ${ratio(edge.perSecond, alt?.perSecond)} |`);
    out.push(`| 2 | … latency | ${pct(c.latency)} | direct to profiles | ${pct(direct?.latency)} | p99 ${ratio(c.latency.p99, direct?.latency.p99)} |`);
    out.push(`| 2 | … req/s | ${num(c.perSecond)} | 6a handler (user + venue row, one tx) | ${num(alt?.perSecond)} | ${ratio(c.perSecond, alt?.perSecond)} |`);
  }
  if (r.projection) {
    const p = r.projection;
    const slower = Math.min(p.rawJetStreamPerSecond, p.rawPostgresPerSecond);
    const alternated = p.runs?.length ? ` (each side the median of ${p.runs.length} alternated runs)` : '';
    out.push(`| 3 | projection venue-directory, ${num(p.events)} events / ${num(p.users)} owners: events/s${alternated} | ${num(p.ripplePerSecond)} | slower of raw JetStream consume+ack (${num(p.rawJetStreamPerSecond)}/s) and raw batched PG upsert (${num(p.rawPostgresPerSecond)}/s) | ${num(slower)} | ${ratio(p.ripplePerSecond, slower)} |`);
    // Undefined in results written before the fifteenth session.
    if (p.rawChainPerSecond) out.push(`| 3 | … the floor of any projection here: the two raw baselines chained (consume, parse, fold, upsert, ack; no checkpoints, no validation, no events appended): events/s | ${num(p.ripplePerSecond)} | raw chain | ${num(p.rawChainPerSecond)} | ${ratio(p.ripplePerSecond, p.rawChainPerSecond)} (the chain: ${ratio(p.rawChainPerSecond, slower)} of the slower) |`);
    // Undefined in results written before the thirty-seventh session.
    if (p.rawJobPerSecond) out.push(`| 3 | … the floor of this projection's job: the chain writing what the directory writes (each batch's owner profile and venue rows, a VenueSynced event and its outbox row per venue changed, a checkpoint per owner, in one statement; the next batch folded while one is written; no locks, no next-in-line checks, no validation): events/s | ${num(p.ripplePerSecond)} | raw job | ${num(p.rawJobPerSecond)} | ${ratio(p.ripplePerSecond, p.rawJobPerSecond)} (the raw job: ${ratio(p.rawJobPerSecond, slower)} of the slower) |`);
    const jobRuns = p.runs?.every((run) => run.rawJobPerSecond !== undefined);
    if (p.runs?.length) out.push(`| 3 | … each run in order, raw JetStream / raw PostgreSQL / the chain / ${jobRuns ? 'the raw job / ' : ''}Ripple: events/s | ${p.runs.map((run) => [run.rawJetStreamPerSecond, run.rawPostgresPerSecond, run.rawChainPerSecond, ...(jobRuns ? [run.rawJobPerSecond] : []), run.ripplePerSecond].map(num).join(' / ')).join('; ')} | — | — | — |`);
  }
  if (r.replay) {
    out.push(`| 4 | replay (blue/green rebuild) of ${num(r.replay.events)} events: events/s (${r.replay.replaySeconds} s; each side the median of ${r.replay.runs.length} alternated runs) | ${num(r.replay.replayPerSecond)} | raw ordered-consumer read | ${num(r.replay.orderedReadPerSecond)} | ${ratio(r.replay.replayPerSecond, r.replay.orderedReadPerSecond)} |`);
    const parsed = r.replay.parsedReadPerSecond;
    if (parsed) out.push(`| 4 | … the least a replay does: the ordered read with each message parsed (JSON.parse): events/s | ${num(r.replay.replayPerSecond)} | parsed ordered read | ${num(parsed)} | ${ratio(r.replay.replayPerSecond, parsed)} (the parsed read: ${ratio(parsed, r.replay.orderedReadPerSecond)} of the read) |`);
    out.push(`| 4 | … each run in order, raw ordered read${parsed ? ' / parsed' : ''} / replay: events/s | ${r.replay.runs.map((run) => [run.orderedReadPerSecond, ...(parsed ? [run.parsedReadPerSecond] : []), run.replayPerSecond].map(num).join(' / ')).join('; ')} | — | — | — |`);
  }
  if (r.fanout && 'notAvailable' in r.fanout) out.push(`| 5 | fan-out | not available: ${r.fanout.notAvailable} | | | |`);
  else if (r.fanout) {
    const change = r.sse.venueChange === false ? 'the profile change' : 'the venue change';
    for (const l of r.fanout.levels) {
      const [what, base] = l.transport === 'ws' ? ['WebSocket', r.fanout.wsBaseline] : ['SSE', r.fanout.baseline];
      const beside = l.totalClients - l.clients > 1 ? ` (beside ${num(l.totalClients - l.clients)} others)` : '';
      const spread = l.users > 1 ? ` over ${l.users} owners, one with ${num(l.heavyClients)}` : ' of one owner';
      out.push(`| 5 | fan-out, ${num(l.clients)} ${what} clients${spread}${beside}: ${change}, one owner's at a time (PUT → each of its clients)${l.lost ? `, ${l.lost} lost` : ''} | ${pct(l.delivery)} | same change, 1 ${what} client | ${pct(base)} | p99 ${ratio(l.delivery.p99, base.p99)} |`);
      if (l.users > 1) out.push(`| 5 | … to the ${num(l.heavyClients)} clients of one owner | ${pct(l.heavyDelivery)} | same change, 1 ${what} client | ${pct(base)} | p99 ${ratio(l.heavyDelivery.p99, base.p99)} |`);
      out.push(`| 5 | … connect rate; memory per connection; gateway RSS; gateway CPU per change sent | ${num(l.connectPerSecond)}/s; ${l.kbPerConnection} KB; ${l.gatewayRssMb} MB; ${l.gatewayCpuUsPerDelivery} µs | — | — | — |`);
    }
  }
  for (const [k, v] of Object.entries(r.errors)) out.push(`| ! | ${k} | failed: ${v.split('\n')[0].replace(/\|/g, '/')} | | | |`);

  out.push('', ...targets(r));
  if (r.hops) {
    out.push('', `#### 0. Where the time of one update goes (${r.hops.samples} updates one at a time; ms p50 / p95 / p99 / max)`, '');
    out.push('| hop | Ripple | floor (same run) | floor p50 / p99 |', '| --- | --- | --- | --- |');
    for (const h of r.hops.hops) {
      const f = h.floor ? r.hops.floors[h.floor] : undefined;
      out.push(`| ${h.hop} | ${pct(h.ms)} | ${h.floor ?? '—'} | ${f ? `${ms(f.p50)} / ${ms(f.p99)}` : '—'} |`);
    }
  }
  if (r.propagation) {
    out.push('', `#### 1. Propagation by rate (Ripple, open loop; ms from the scheduled send)`, '');
    out.push('The venue row is timed at its write, in the transaction that commits it. From the command\'s commit, its 2xx travels back through the gateway while its event travels on to venues, so the row is often written before the client has the 2xx, and the projection stage\'s share of the mean can come out negative.', '');
    out.push('| rate/s | sent | errors / lost / coalesced in row | to 2xx p50 / p99 | to venue row p50 / p95 / p99 / max | venue change to SSE client p50 / p95 / p99 / max | profile change (UserProfileUpdated) to SSE client p50 / p99 | stage shares of the mean | commit probe beside it: p99 / max; stalls > 100 ms (updates they overlapped) | end to end of the updates no stall overlapped p50 / p95 / p99 / max | the host memory monitor (kdamond) beside it: runs, CPU ms per run p50 / max (updates they or the 50 ms after them overlapped) | end to end of the updates no run of it overlapped p50 / p95 / p99 / max |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const x of r.propagation.ripple) {
      out.push(`| ${x.rate} | ${x.sent} | ${x.errors} / ${x.lost} / ${x.coalescedInRow} | ${ms(x.accepted.p50)} / ${ms(x.accepted.p99)} | ${pct(x.row)} | ${x.sse ? pct(x.sse) : 'not available'} | ${x.sseProfile?.n ? `${ms(x.sseProfile.p50)} / ${ms(x.sseProfile.p99)}` : '—'} | ${Object.entries(x.shares).map(([k, v]) => `${k} ${v}%`).join('; ')} | ${floorCells(x)} |`);
    }
    const paths = Object.entries(r.propagation.batchPaths ?? {}).filter(([, p]) => Object.values(p).some((n) => n > 0));
    if (paths.length) {
      const cell = (p: Record<string, number>) => `${num(p.one_trip ?? 0)} / ${num(p.check_failed ?? 0)} / ${num(p.usual ?? 0)}`;
      out.push('', 'Live projection batches during scenario 1, by path (`ripple_projection_batches_total`: one round trip / check failed, then the usual two / the usual two, including those):', '');
      out.push(paths.map(([projection, p]) => `${projection} ${cell(p)}`).join('; ') + '.');
    }
  }
  if (r.alternatives || r.propagation) {
    out.push('', '#### 6. Ripple beside the alternatives (same owners, same open-loop load; p50 / p95 / p99 / max ms end to end; after each, the longest one-row commit of the probe in that window: the systems run one after another, so a stall of the disk lands in one and not the other)', '');
    out.push(`| rate/s | Ripple (${r.propagation?.stage === 'sse' ? 'to SSE' : 'to venue row'}) | (a) synchronous, row committed at 2xx | (b) trigger + NOTIFY → SSE |`, '| --- | --- | --- | --- |');
    const rates = [...new Set([...(r.propagation?.ripple ?? []), ...(r.alternatives?.sync ?? [])].map((x) => x.rate))];
    const find = (xs: RateResult[] | undefined, rate: number) => xs?.find((x) => x.rate === rate);
    const cell = (x?: RateResult) => (x ? `${pct(x.endToEnd)}${lossNote(x)}${x.commitFloor ? ` (commit ${ms(x.commitFloor.commits.max)})` : ''}` : '—');
    for (const rate of rates) out.push(`| ${rate} | ${cell(find(r.propagation?.ripple, rate))} | ${cell(find(r.alternatives?.sync, rate))} | ${cell(find(r.alternatives?.trigger, rate))} |`);
  }
  if (r.hosting?.length) {
    const hostings = r.hosting;
    out.push('', `#### 1h. Hosting: one process per service (scenario 1) beside ${hostings.map((h) => `${h.name} (\`npm start -- ${h.flag}\`)`).join(' and ')}; same run, same load, each on a fresh stack of its own`, '');
    const names = ['per service', ...hostings.map((h) => h.name)].join(' / ');
    out.push(`| rate/s | to SSE p50 / p99: ${names} | CPU per update: ${names} | run-queue wait per update: ${names} |`, '| --- | --- | --- | --- |');
    const figures = (x?: RateResult) => ({ latency: x ? `${ms(x.endToEnd.p50)} / ${ms(x.endToEnd.p99)}${lossNote(x)}` : '—', ...(x ? perUpdate(x) : {}) });
    for (const rate of hostings[0].rates.map((x) => x.rate)) {
      const row = [r.propagation?.ripple.find((y) => y.rate === rate), ...hostings.map((h) => h.rates.find((y) => y.rate === rate))].map(figures);
      const each = (f: (c: ReturnType<typeof figures>) => number | undefined) => row.map((c) => (f(c) === undefined ? '—' : f(c)!.toFixed(2))).join(' / ');
      out.push(`| ${rate} | ${row.map((c) => c.latency).join(' · ')} | ${each((c) => c.cpuMs)} | ${each((c) => c.runQueueMs)} |`);
    }
    const rss = (uses?: { name: string; peakRssMb: number }[]) => uses?.filter((u) => u.name !== LOAD_GENERATOR && !/^(postgres|nats-server)$/.test(u.name)).reduce((n, u) => n + u.peakRssMb, 0);
    const mb = (v?: number) => (v === undefined ? '—' : `${Math.round(v)} MB`);
    // In a run without scenario 1 (`--only 1h`) there is no per-service figure to give.
    const p = r.propagation;
    const rates = [...(p ? [`${p.highestRateP99Under100 ?? 'none'}/s per service`] : []), ...hostings.map((h) => `${h.highestRateP99Under100 ?? 'none'}/s in ${h.name}`)];
    const rsses = [...(p ? [`${mb(rss(r.resources['scenario 1: Ripple propagation']))} (one per service)`] : []), ...hostings.map((h) => `${mb(rss(h.resources))} (${h.name})`)];
    out.push('', `Highest rate with p99 < 100 ms: ${rates.join(', ')}. Peak RSS of the Node processes: ${rsses.join(', ')}.`);
  }
  if (r.command?.length) {
    out.push('', '#### 2. Command path (closed loop)', '', '| target | concurrency | req/s | latency p50 / p95 / p99 / max | errors |', '| --- | --- | --- | --- | --- |');
    for (const c of r.command) out.push(`| ${c.target} | ${c.concurrency} | ${num(c.perSecond)} | ${pct(c.latency)} | ${c.errors} |`);
    out.push(...commandCpuTable(r.command));
  }
  if (r.cpu) {
    out.push('', `#### 8. Where the CPU goes under load (${r.cpu.rate} updates/s for ${r.cpu.seconds} s, every app profiled; self time; raw profiles in test/bench/results/cpu/)`, '');
    out.push('| app | busy in the window | top functions by self time (share of busy) | by origin |', '| --- | --- | --- | --- |');
    for (const [app, c] of Object.entries(r.cpu.apps)) {
      if (!c) continue;
      const top = c.top.slice(0, 8).map((f) => `${f.fn.replace(/\|/g, '/')} ${(f.share * 100).toFixed(1)}%`).join('<br>');
      const origins = c.byOrigin.slice(0, 6).map((o) => `${o.origin} ${(o.share * 100).toFixed(0)}%`).join(', ');
      out.push(`| ${app} | ${(c.busyMs / 1000).toFixed(1)} s of ${(c.totalMs / 1000).toFixed(1)} s | ${top} | ${origins} |`);
    }
  }
  const cpuShares = cpuPerUpdate(r);
  if (cpuShares) {
    out.push('', '#### 7b. CPU per update (ms: CPU seconds a process used in the window ÷ the updates sent in it; the same load for all three)', '');
    out.push('| process | Ripple (scenario 1) | (a) synchronous (6a) | (b) trigger + NOTIFY (6b) |', '| --- | --- | --- | --- |');
    const names = [...new Set([...Object.keys(cpuShares.ripple.byProcess), ...Object.keys(cpuShares.sync.byProcess), ...Object.keys(cpuShares.trigger.byProcess)])];
    const cell = (x: Record<string, number>, n: string) => (x[n] === undefined ? '—' : x[n].toFixed(2));
    for (const n of names) out.push(`| ${n} | ${cell(cpuShares.ripple.byProcess, n)} | ${cell(cpuShares.sync.byProcess, n)} | ${cell(cpuShares.trigger.byProcess, n)} |`);
    out.push(`| **all of them** | **${cpuShares.ripple.total.toFixed(2)}** | **${cpuShares.sync.total.toFixed(2)}** | **${cpuShares.trigger.total.toFixed(2)}** |`);
  }
  const byRate = costByRate(r).filter((c) => c.ripple);
  if (byRate.length) {
    out.push('', `#### 7c. CPU and run-queue wait per update, by rate (ms per update sent, every process of the system summed; each rate's window: its load, then until its last update arrived. Run-queue wait: time a process was runnable but waited for a core. Cores kept busy = rate × CPU per update, of the machine's ${r.machine.split(' ×')[0]})`, '');
    if (r.wakeUpCostMicros !== undefined) out.push(`The floor under these figures: an idle process woken by an empty timer costs ${r.wakeUpCostMicros.toFixed(0)} µs of CPU on this machine (measured in this run; a few µs on bare metal). At low rates every hop of the pipeline wakes a process (a service, a PostgreSQL backend, nats-server), several per update; at higher rates processes stay busy and batches grow, and the cost per update falls.`, '');
    out.push('| rate/s | Ripple CPU | Ripple run-queue wait | Ripple cores kept busy | (a) synchronous CPU | (b) trigger + NOTIFY CPU | (b) run-queue wait | Ripple CPU ÷ (b) |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
    const f = (x?: { cpuMs: number }) => (x ? x.cpuMs.toFixed(2) : '—');
    for (const c of byRate) {
      out.push(`| ${c.rate} | ${f(c.ripple)} | ${c.ripple!.runQueueMs.toFixed(2)} | ${((c.rate * c.ripple!.cpuMs) / 1000).toFixed(2)} | ${f(c.sync)} | ${f(c.trigger)} | ${c.trigger ? c.trigger.runQueueMs.toFixed(2) : '—'} | ${ratio(c.ripple!.cpuMs, c.trigger?.cpuMs)} |`);
    }
  }
  if (Object.keys(r.resources).length) {
    out.push('', '#### 7. Resource use (CPU: % of one core over the window; peak RSS sampled every 200 ms; postgres = all its processes, incl. other databases on the server)', '');
    out.push('| window | process | CPU % | CPU s | peak RSS MB |', '| --- | --- | --- | --- | --- |');
    for (const [w, uses] of Object.entries(r.resources)) {
      for (const u of uses) out.push(`| ${w} | ${u.name}${u.processes > 1 ? ` (${u.processes} processes)` : ''} | ${u.cpuPercent} | ${u.cpuSeconds} | ${u.peakRssMb}${u.peakAnonMb !== undefined ? ` (private ${u.peakAnonMb})` : ''} |`);
    }
  }
  return out.join('\n') + '\n';
}

/** The rate whose CPU per update the summary table shows: the product documents' 100 updates/s. */
const COST_RATE = 100;

/** Per rate: CPU and run-queue wait per update of Ripple and of the alternatives, where their windows were sampled. */
function costByRate(r: BenchResults): { rate: number; ripple?: Cost; sync?: Cost; trigger?: Cost }[] {
  const at = (xs: RateResult[] | undefined, rate: number) => {
    const x = xs?.find((y) => y.rate === rate);
    return x ? perUpdate(x) : undefined;
  };
  return (r.propagation?.ripple ?? []).map((x) => ({ rate: x.rate, ripple: perUpdate(x), sync: at(r.alternatives?.sync, x.rate), trigger: at(r.alternatives?.trigger, x.rate) }));
}

type Cost = { cpuMs: number; runQueueMs: number };


interface CpuPerUpdate {
  byProcess: Record<string, number>;
  total: number;
}

/**
 * CPU per update of Ripple (scenario 1) and of the two alternatives (6a, 6b): each process group's
 * CPU seconds in the window ÷ the updates sent in it, in ms. Scenario 1 and 6 offer the same rates for
 * the same time, so the three are the same load. Undefined unless all three windows were sampled.
 */
function cpuPerUpdate(r: BenchResults): { ripple: CpuPerUpdate; sync: CpuPerUpdate; trigger: CpuPerUpdate } | undefined {
  const of = (window: string, rates: RateResult[] | undefined): CpuPerUpdate | undefined => {
    const uses = r.resources[window];
    const sent = (rates ?? []).reduce((n, x) => n + x.sent, 0);
    if (!uses || !sent) return undefined;
    const byProcess = Object.fromEntries(uses.filter((u) => u.name !== LOAD_GENERATOR).map((u) => [u.name, (u.cpuSeconds * 1000) / sent]));
    return { byProcess, total: Object.values(byProcess).reduce((a, b) => a + b, 0) };
  };
  const ripple = of('scenario 1: Ripple propagation', r.propagation?.ripple);
  const sync = of('scenario 6a: synchronous', r.alternatives?.sync);
  const trigger = of('scenario 6b: trigger + NOTIFY', r.alternatives?.trigger);
  return ripple && sync && trigger ? { ripple, sync, trigger } : undefined;
}

const lossNote = (x: RateResult) => (x.errors || x.lost ? ` (${x.errors} errors${x.errors ? ` ${Object.entries(x.errorKinds ?? {}).map(([k, v]) => `${k}×${v}`).join(', ')}` : ''}, ${x.lost} lost)` : '');

/** The commit probe's cells of a rate's row (see CommitProbe), and the host monitor's (none where the host runs none). */
function floorCells(x: RateResult): string {
  const f = x.commitFloor;
  if (!f) return '— | — | — | —';
  const m = f.monitor;
  const monitor = m ? `${m.runs}, ${ms(m.cpuMs.p50)} / ${ms(m.cpuMs.max)} (${m.overlapped}) | ${pct(m.endToEndBeside)}` : 'none seen | —';
  return `${ms(f.commits.p99)} / ${ms(f.commits.max)}; ${f.stalls} (${f.overlapped}) | ${pct(f.endToEndBesideStalls)} | ${monitor}`;
}

/** Issue 10's targets, each checked against this run's figures. */
function targets(r: BenchResults): string[] {
  const rows: [string, string, boolean | undefined][] = [];
  const trig = new Map((r.alternatives?.trigger ?? []).map((x) => [x.rate, x]));
  const upTo200 = (r.propagation?.ripple ?? []).filter((x) => x.rate <= 200);
  if (upTo200.length && r.propagation?.stage === 'sse') {
    const worst = upTo200.map((x) => ({ rate: x.rate, p99: x.endToEnd.p99, base: trig.get(x.rate)?.endToEnd.p99 }));
    const ok = worst.every((w) => w.base !== undefined && w.p99 <= 5 * w.base && w.p99 <= 100);
    rows.push(['propagation p99 ≤ 5× trigger p99 and ≤ 100 ms at every rate up to 200/s', worst.map((w) => `${w.rate}/s: ${ms(w.p99)} (${ratio(w.p99, w.base)})`).join('; '), ok]);
  }
  if (r.propagation) {
    const stalls = r.propagation.ripple.map((x) => ({ rate: x.rate, k: x.endToEnd.p99 / x.endToEnd.p50, floor: x.commitFloor }));
    // Beside each ratio: the longest one-row commit of the probe in that step, when the database's own commit path stalled.
    const disk = (f: RateResult['commitFloor']) => (f?.stalls ? ` (a commit stalled ${ms(f.longestStallMs)} ms)` : '');
    // …and the same ratio over the updates no run of the host's memory monitor overlapped, where it runs.
    const host = (f: RateResult['commitFloor']) => (f?.monitor ? ` (clear of kdamond: ${(f.monitor.endToEndBeside.p99 / f.monitor.endToEndBeside.p50).toFixed(1)}×)` : '');
    // …and the baseline's own ratio in the same step: the one-process trigger's queueing on the same two cores.
    const base = (rate: number) => {
      const t = trig.get(rate)?.endToEnd;
      return t && t.p50 > 0 ? `, trigger + NOTIFY ${(t.p99 / t.p50).toFixed(1)}×` : '';
    };
    rows.push(['no stalls: p99 ≤ 4× p50 at every rate', stalls.map((x) => `${x.rate}/s ${x.k.toFixed(1)}×${disk(x.floor)}${host(x.floor)}${base(x.rate)}`).join('; '), stalls.every((x) => x.k <= 4)]);
    rows.push(['highest rate with p99 < 100 ms ≥ 400/s', `${r.propagation.highestRateP99Under100 ?? 'none'}/s`, (r.propagation.highestRateP99Under100 ?? 0) >= 400]);
  }
  const cmd = (t: string) => r.command?.find((c) => c.target.startsWith(t) && c.concurrency === 16)?.perSecond;
  const [gw, direct, raw, bare] = [cmd('gateway'), cmd('profiles (direct)'), cmd('alternative'), cmd('bare')];
  const alone = cmd('profiles alone');
  const ceiling = directCeiling(r.command ?? []);
  const topology = cmd(RAW_TOPOLOGY_TARGET);
  const edge = cmd(RAW_TOPOLOGY_EDGE_TARGET);
  if (direct && raw) rows.push(['command path direct ≥ 0.5× the raw handler', `${num(direct)} vs ${num(raw)} req/s: ${ratio(direct, raw)}${alone ? ` (profiles alone, the other apps paused: ${ratio(alone, raw)})` : ''}${ceiling ? `; were profiles free, at most ${ratio(ceiling.perSecond, raw)}` : ''}${topology ? `; its topology done raw (c): ${ratio(topology, raw)}, Ripple ÷ that ${ratio(direct, topology)}` : ''}${edge ? `; the same behind Ripple's HTTP edge (d): ${ratio(edge, raw)}` : ''}`, direct >= 0.5 * raw]);
  if (gw && direct) rows.push(['through the gateway ≥ 0.85× direct', `${num(gw)} vs ${num(direct)} req/s: ${ratio(gw, direct)}${bare ? ` (a bare Node proxy hop: ${ratio(bare, direct)})` : ''}`, gw >= 0.85 * direct]);
  if (r.projection) {
    const slower = Math.min(r.projection.rawJetStreamPerSecond, r.projection.rawPostgresPerSecond);
    const chain = r.projection.rawChainPerSecond;
    const job = r.projection.rawJobPerSecond;
    const floors = [
      ...(chain ? [`the two chained, its floor: ${ratio(chain, slower)}; Ripple ÷ chain ${ratio(r.projection.ripplePerSecond, chain)}`] : []),
      ...(job ? [`the directory's writes done raw: ${ratio(job, slower)}; Ripple ÷ that ${ratio(r.projection.ripplePerSecond, job)}`] : []),
    ];
    rows.push(['projection ≥ 0.6× the slower raw baseline', `${num(r.projection.ripplePerSecond)} vs ${num(slower)}/s: ${ratio(r.projection.ripplePerSecond, slower)}${floors.length ? ` (${floors.join('; ')})` : ''}`, r.projection.ripplePerSecond >= 0.6 * slower]);
  }
  if (r.replay) {
    const parsed = r.replay.parsedReadPerSecond;
    rows.push(['replay ≥ 0.5× the raw ordered read', `${num(r.replay.replayPerSecond)} vs ${num(r.replay.orderedReadPerSecond)}/s: ${ratio(r.replay.replayPerSecond, r.replay.orderedReadPerSecond)}${parsed ? ` (the read with each message parsed: ${ratio(parsed, r.replay.orderedReadPerSecond)})` : ''}`, r.replay.replayPerSecond >= 0.5 * r.replay.orderedReadPerSecond]);
  }
  if (r.fanout && !('notAvailable' in r.fanout) && r.fanout.levels.length) {
    const top = r.fanout.levels.reduce((a, b) => (b.clients > a.clients ? b : a));
    rows.push([`fan-out: delivery p99 ≤ 250 ms at 10,000 clients`, `${num(top.clients)} clients: p99 ${ms(top.delivery.p99)} ms`, top.clients >= 10_000 && top.delivery.p99 <= 250]);
    rows.push(['fan-out: memory ≤ 20 KB per connection', `${top.kbPerConnection} KB at ${num(top.clients)}`, top.kbPerConnection <= 20]);
  }
  const mark = (ok?: boolean) => (ok === undefined ? '—' : ok ? 'met' : '**not met**');
  return ['#### Issue 10 targets, checked against this run', '', '| target | this run | |', '| --- | --- | --- |', ...rows.map(([t, v, ok]) => `| ${t} | ${v} | ${mark(ok)} |`)];
}

/** Scenario 2's CPU per request, by process, one column per target (concurrency 16). */
function commandCpuTable(command: NonNullable<BenchResults['command']>): string[] {
  const measured = command.filter((c) => c.concurrency === 16 && c.cpuPerRequestMs);
  if (!measured.length) return [];
  const names = Object.keys(measured[0].cpuPerRequestMs!).filter((n) => measured.some((c) => (c.cpuPerRequestMs![n] ?? 0) >= 0.005));
  const ceiling = directCeiling(command);
  return [
    '',
    '#### 2b. CPU per request, by process (concurrency 16: CPU seconds in the measured runs ÷ requests completed, ms)',
    '',
    `| process | ${measured.map((c) => c.target).join(' | ')} |`,
    `| --- | ${measured.map(() => '---').join(' | ')} |`,
    ...names.map((n) => `| ${n} | ${measured.map((c) => (c.cpuPerRequestMs![n] ?? 0).toFixed(2)).join(' | ')} |`),
    `| **all of them** | ${measured.map((c) => `**${cpuPerRequestTotal(c).toFixed(2)}**`).join(' | ')} |`,
    `| cores kept busy (req/s × all) | ${measured.map((c) => ((c.perSecond * cpuPerRequestTotal(c)) / 1000).toFixed(2)).join(' | ')} |`,
    ...(ceiling ? ['', `Direct to profiles, the propagation each command causes (venues, the gateway's feed, their PostgreSQL and NATS work) and the load generator cost ${ceiling.restMs.toFixed(2)} ms of CPU per request: were profiles free, the cores this run kept busy would carry at most ${num(ceiling.perSecond)} req/s.`] : []),
    ...topologyGap(command),
  ];
}

/** Where direct to profiles spends more CPU per request than its topology done raw (c), process by process. */
function topologyGap(command: NonNullable<BenchResults['command']>): string[] {
  const d = command.find((c) => c.target === 'profiles (direct)' && c.concurrency === 16)?.cpuPerRequestMs;
  const t = command.find((c) => c.target === RAW_TOPOLOGY_TARGET && c.concurrency === 16)?.cpuPerRequestMs;
  if (!d || !t) return [];
  const of = (m: Record<string, number>, names: string[]) => names.reduce((a, n) => a + (m[n] ?? 0), 0);
  const pairs: [string, string[], string[]][] = [
    ['profiles', ['profiles'], ['raw profiles']],
    ['venues', ['venues'], ['raw venues']],
    ['the gateway', ['gateway'], ['raw gateway']],
    ['pets and connectors (no counterpart)', ['pets', 'connectors'], []],
    ['nats-server', ['nats-server'], ['nats-server']],
    ['PostgreSQL', ['postgres'], ['postgres']],
    ['the load generator', [LOAD_GENERATOR], [LOAD_GENERATOR]],
  ];
  const gaps = pairs.map(([name, ripple, raw]) => `${name} ${of(d, ripple).toFixed(2)} against ${of(t, raw).toFixed(2)}`);
  const e = command.find((c) => c.target === RAW_TOPOLOGY_EDGE_TARGET && c.concurrency === 16)?.cpuPerRequestMs;
  const edge = e ? ` Behind Ripple's HTTP edge (d), the raw command's process used ${of(e, ['raw profiles behind edge']).toFixed(2)} ms per request, all of them ${cpuPerRequestTotal({ cpuPerRequestMs: e }).toFixed(2)}.` : '';
  return ['', `Direct to profiles against its topology done raw (c), ms of CPU per request: ${gaps.join('; ')}; all of them ${cpuPerRequestTotal({ cpuPerRequestMs: d }).toFixed(2)} against ${cpuPerRequestTotal({ cpuPerRequestMs: t }).toFixed(2)}.${edge}`];
}

/** Direct to profiles: the req/s the busy cores would carry if the profiles process cost no CPU (everything else as measured). */
function directCeiling(command: NonNullable<BenchResults['command']>): { perSecond: number; restMs: number } | undefined {
  const d = command.find((c) => c.target === 'profiles (direct)' && c.concurrency === 16);
  if (!d?.cpuPerRequestMs || d.cpuPerRequestMs.profiles === undefined) return undefined;
  const all = cpuPerRequestTotal(d);
  const restMs = all - d.cpuPerRequestMs.profiles;
  if (restMs <= 0) return undefined;
  return { perSecond: Math.round((d.perSecond * all) / restMs), restMs };
}

/** A scenario 2 target's CPU per request, every process summed (ms). */
function cpuPerRequestTotal(c: { cpuPerRequestMs?: Record<string, number> }): number {
  return Object.values(c.cpuPerRequestMs ?? {}).reduce((a, b) => a + b, 0);
}
