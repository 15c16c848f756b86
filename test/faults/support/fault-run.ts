import { eventually, type PrivateNats } from '@ripple/testing';
import { apiClient, signUp, type ApiClient } from '../../e2e/support/http-client';
import { startRipple, type RunningRipple } from '../../e2e/support/ripple-processes';
import { FeedWatcher } from './feed-watchers';
import { judge, type Observed } from './judge';
import type { PostgresServer } from './local-servers';
import { sleep, Workload, type WorkloadUser } from './workload';

export interface FaultContext {
  ripple: RunningRipple;
  nats: PrivateNats;
  pg: PostgresServer;
}

export interface Fault {
  name: string;
  /** `cluster`: three nats-server nodes, streams with three replicas. */
  topology: 'single' | 'cluster';
  /** Does the harm and, when the fault is one that ends, ends it (restart, resume). */
  inject(ctx: FaultContext): Promise<void>;
}

export interface FaultReport {
  fault: string;
  acknowledged: number;
  lost: number;
  duplicated: number;
  unexpected: number;
  /** From the end of the fault to every copy holding every acknowledged write; undefined if that never happened. */
  convergeMs?: number;
  retries: number;
  /** `reset` messages the SSE clients got (each would make a client reload). */
  resets: number;
}

const USERS = 3;
const INITIAL = 'init';
const CONVERGE_TIMEOUT_MS = 180_000;

/**
 * One fault, on a Ripple of its own (fresh database and stream namespace, apps
 * as processes) against the suite's servers: users keep writing through the
 * gateway with SSE clients open; the fault is injected and ended; writes go on
 * for a moment, stop, and the checker reads every copy until it holds every
 * acknowledged write (or gives up), then judges.
 */
export async function runFault(fault: Fault, servers: { nats: PrivateNats; pg: PostgresServer }): Promise<FaultReport> {
  const env: Record<string, string> = { ADMIN_PASSWORD: 'faults-admin-password', ...(fault.topology === 'cluster' ? { STREAM_REPLICAS: '3' } : {}) };
  const ripple = await startRipple(env, { databaseUrl: servers.pg.url, natsUrl: servers.nats.url });
  const watchers: FeedWatcher[] = [];
  try {
    const api = apiClient(ripple.url);
    const users: (WorkloadUser & { initialVersion: number })[] = [];
    for (let n = 1; n <= USERS; n++) {
      const u = await signUp(api, 'venue', { venueName: INITIAL, venueLocation: 'Faultville' });
      users.push({ ...u, n, initialVersion: 1 });
    }
    for (const u of users) {
      await eventually(async () => (await api.get(`/api/venues?ownerId=${u.id}`)).body.data?.[0], { timeoutMs: 60_000, what: 'the venues before the fault' });
      const w = new FeedWatcher(ripple.url, u.token);
      watchers.push(w);
      await eventually(async () => w.messages().some((m) => m.type === 'connected'), { what: 'the SSE feed to connect' });
    }
    const label = fault.name.replace(/[^A-Za-z0-9]+/g, '').slice(0, 24) + Date.now().toString(36);
    const workload = new Workload(api, users, label);
    workload.start();
    await sleep(2000);
    await fault.inject({ ripple, ...servers });
    const faultEnded = Date.now();
    await sleep(2000);
    await workload.stop();

    const verdicts = async () => Promise.all(users.map(async (u, i) => judge(await observe(api, u, watchers[i]), {
      acked: workload.acked.get(u.id) ?? [], pending: workload.pending.get(u.id), initial: INITIAL, initialVersion: u.initialVersion,
    })));
    let convergeMs: number | undefined;
    let last = await verdicts();
    const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
    while (!last.every((v) => v.converged) && Date.now() < deadline) {
      await sleep(250);
      last = await verdicts().catch(() => last);
    }
    if (last.every((v) => v.converged)) convergeMs = Date.now() - faultEnded;
    const sum = (k: 'lost' | 'duplicated' | 'unexpected') => last.reduce((n, v) => n + v[k], 0);
    return {
      fault: fault.name,
      acknowledged: workload.acknowledged,
      lost: sum('lost'),
      duplicated: sum('duplicated'),
      unexpected: sum('unexpected'),
      convergeMs,
      retries: workload.retries,
      resets: watchers.reduce((n, w) => n + w.messages().filter((m) => m.type === 'reset').length, 0),
    };
  } finally {
    for (const w of watchers) w.close();
    // Every node up again, so the run's streams can be deleted.
    for (const n of servers.nats.nodes) if (!n.running()) await n.start();
    await ripple.stop();
  }
}

async function observe(api: ApiClient, u: WorkloadUser, feed: FeedWatcher): Promise<Observed> {
  const [profile, venues] = await Promise.all([api.get(`/api/users/${u.id}`, { token: u.token }), api.get(`/api/venues?ownerId=${u.id}`)]);
  if (profile.status !== 200 || venues.status !== 200) throw new Error(`read ${profile.status}/${venues.status}`);
  const changes = feed.messages().filter((m) => m.type === 'data_change');
  return {
    profileValue: profile.body.data.profileInfo?.venueName,
    profileVersion: profile.body.data.version,
    venueName: venues.body.data[0]?.name,
    feedProfileValues: changes.filter((c) => c.eventType === 'UserProfileUpdated' && c.recordId === u.id && c.data?.changes?.venueName !== undefined).map((c) => c.data.changes.venueName),
    feedVenueNames: changes.filter((c) => c.eventType === 'VenueSynced' && c.data?.ownerId === u.id && c.data?.changes?.name !== undefined).map((c) => c.data.changes.name),
  };
}

/** The report as a Markdown table. */
export function faultTable(reports: FaultReport[]): string {
  const rows = reports.map((r) =>
    `| ${r.fault} | ${r.acknowledged} | ${r.lost} | ${r.duplicated} | ${r.unexpected} | ${r.convergeMs === undefined ? 'never' : `${(r.convergeMs / 1000).toFixed(1)} s`} | ${r.retries} | ${r.resets} |`);
  return ['| fault | acknowledged | lost | duplicated | unexpected | converged after the fault ended | client retries | feed resets |', '| --- | --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}
