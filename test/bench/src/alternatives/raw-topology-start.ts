import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { connectBroker, DUPLICATE_WINDOW_MS } from '@ripple/messaging';
import { eventually, freePort } from '@ripple/testing';
import { openEventSource } from '../support/http';
import { APP_NODE_FLAGS } from '../support/ripple';
import { createTableLike } from './raw-tables';
import { RAW_TOPOLOGY_SCHEMA as S, rawTopologyStream, rawTopologySubject } from './raw-topology-names';

/**
 * Each raw table and the Ripple table it is made like (createTableLike), and whether
 * the Ripple table's rows are copied in (the read models and checkpoints as they stand, so
 * the raw writers update rows where Ripple's update them; the logs start empty).
 */
const TABLES: { raw: string; like: string; copy: boolean; positions?: boolean }[] = [
  { raw: 'users', like: 'profiles.users', copy: true },
  { raw: 'profile_events', like: 'profiles.events', copy: false, positions: true },
  { raw: 'profile_outbox', like: 'profiles.outbox', copy: false },
  { raw: 'owner_profiles', like: 'venues.owner_profiles', copy: true },
  { raw: 'venues', like: 'venues.venues', copy: true },
  { raw: 'venue_checkpoints', like: 'venues.venue_directory__checkpoints', copy: true },
  { raw: 'venue_events', like: 'venues.events', copy: false, positions: true },
  { raw: 'venue_outbox', like: 'venues.outbox', copy: false },
  { raw: 'changes', like: 'gateway.changes', copy: false, positions: true },
  { raw: 'change_audience', like: 'gateway.change_audience', copy: false },
  { raw: 'feed_checkpoints_profiles', like: 'gateway.change_feed_profiles__checkpoints', copy: true },
  { raw: 'feed_checkpoints_venues', like: 'gateway.change_feed_venues__checkpoints', copy: true },
];

export interface RawTopology {
  /** PUT here: the raw profiles process. */
  url: string;
  /** …or here: the same behind Ripple's HTTP edge (Nest on Fastify, the strict validation pipe, the bearer guard). */
  edgeUrl: string;
  pids: { name: string; pid: number }[];
  /** Frames its owners' SSE clients received. */
  framesReceived(): number;
  /** Waits until every update so far went the whole way (to its SSE client); throws if it did not within `timeoutMs`. */
  caughtUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts scenario 2's raw topology (raw-topology.ts) on Ripple's database and nats-server:
 * its tables, two streams of its own, its processes (profiles twice: plain, and behind Ripple's
 * HTTP edge; one is measured at a time), and an SSE client for each owner
 * on its gateway, as scenario 1's observers are on Ripple's.
 */
export async function startRawTopology(opts: { databaseUrl: string; natsUrl: string; owners: { token: string }[]; secret: string; prefix: string }): Promise<RawTopology> {
  const db = new Client({ connectionString: opts.databaseUrl });
  await db.connect();
  const broker = await connectBroker(opts.natsUrl, 'bench-raw-topology');
  const children: { name: string; child: ChildProcess }[] = [];
  const observers: { close(): void }[] = [];
  let frames = 0;
  const [profilesPort, edgePort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
  const stop = async () => {
    for (const o of observers) o.close();
    await Promise.all(children.map(({ child }) => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => (clearTimeout(kill), resolve()));
      child.kill('SIGTERM');
    })));
    for (const source of ['profiles', 'venues'] as const) await broker.jsm.streams.delete(rawTopologyStream(opts.prefix, source)).catch(() => undefined);
    await broker.nc.close();
    await db.query(`DROP SCHEMA IF EXISTS ${S} CASCADE`).catch(() => undefined);
    await db.end();
  };
  try {
    await db.query(`DROP SCHEMA IF EXISTS ${S} CASCADE; CREATE SCHEMA ${S}`);
    for (const t of TABLES) {
      await createTableLike(db, `${S}.${t.raw}`, t.like, t.positions);
      if (t.copy) await db.query(`INSERT INTO ${S}.${t.raw} SELECT * FROM ${t.like}`);
    }
    await db.query(`ANALYZE ${TABLES.map((t) => `${S}.${t.raw}`).join(', ')}`);
    for (const source of ['profiles', 'venues'] as const) {
      await broker.jsm.streams.add({
        name: rawTopologyStream(opts.prefix, source), subjects: [rawTopologySubject(opts.prefix, source, '>')], storage: StorageType.File,
        retention: RetentionPolicy.Limits, discard: DiscardPolicy.Old, duplicate_window: DUPLICATE_WINDOW_MS * 1_000_000, num_replicas: 1,
      });
    }
    const script = join(__dirname, 'raw-topology.js');
    const start = async (role: string, port?: number) => {
      // With the flags Ripple's apps get, as the processes they stand in for.
      const child = spawn(process.execPath, [...APP_NODE_FLAGS, script], {
        env: { PATH: process.env.PATH, ROLE: role, PREFIX: opts.prefix, DATABASE_URL: opts.databaseUrl, NATS_URL: opts.natsUrl, JWT_SECRET: opts.secret, PORT: String(port ?? 0) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push({ name: `raw ${role.replace(/-/g, ' ')}`, child });
      await new Promise<void>((resolve, reject) => {
        const late = setTimeout(() => reject(new Error(`the raw topology's ${role} process was not ready within 30 s`)), 30_000);
        child.once('message', () => (clearTimeout(late), resolve()));
        child.once('exit', (code) => (clearTimeout(late), reject(new Error(`the raw topology's ${role} process exited (${code}) before it was ready`))));
      });
    };
    await start('gateway', gatewayPort);
    await start('venues');
    await start('profiles', profilesPort);
    await start('profiles-behind-edge', edgePort);
    for (const o of opts.owners) {
      observers.push(await openEventSource(`http://127.0.0.1:${gatewayPort}/c/events`, o.token, (msg) => {
        if (msg.type === 'data_change') frames++;
      }));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  // Every update so far through: its VenueSynced, its two changes in the feed, and their two frames.
  const counts = async () => (await db.query(`SELECT (SELECT count(*) FROM ${S}.profile_events)::int AS updates, (SELECT count(*) FROM ${S}.venue_events)::int AS synced,
    (SELECT count(*) FROM ${S}.changes)::int AS changes`)).rows[0] as { updates: number; synced: number; changes: number };
  return {
    url: `http://127.0.0.1:${profilesPort}`,
    edgeUrl: `http://127.0.0.1:${edgePort}`,
    pids: children.map(({ name, child }) => ({ name, pid: child.pid! })),
    framesReceived: () => frames,
    caughtUp: async (timeoutMs = 60_000) => {
      await eventually(async () => {
        const { updates, synced, changes } = await counts();
        return synced === updates && changes === 2 * updates && frames === 2 * updates;
      }, { timeoutMs, intervalMs: 200, what: 'every raw topology update to reach its SSE client' });
    },
    stop,
  };
}
