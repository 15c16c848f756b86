import { Client } from 'pg';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import type { Broker } from '@ripple/messaging';
import { httpJson, openEventSource, type Owner } from '../support/http';
import { now, sleep, summarize, type Summary } from '../support/stats';

/**
 * Scenario 0: where the time of one update goes, at low load.
 *
 * One owner's profile updates, one at a time (the next is sent 100 ms after the
 * previous one reached the SSE client), each timed at every hop by observers in
 * the bench process, all on its one monotonic clock:
 *   2xx                 the PUT's answer at the client (the command committed)
 *   on PROFILES         a core NATS subscription to the stream's subjects sees the publish
 *   venue row commit    the instrumentation trigger on venues.venues (NOTIFY at commit)
 *   on VENUES           the VenueSynced publish, seen the same way
 *   feed commit         an instrumentation trigger on gateway.changes (NOTIFY at commit), installed
 *                       for this scenario only (a lone gateway sends no wake-up NOTIFY of its own)
 *   SSE client          the owner's SSE client parsed the change
 * (The command's commit itself is not observed apart: its relay is woken in-process.)
 * Floors, measured in the same run against the same servers: a JetStream publish
 * to a waiting pull consumer's receipt; a one-row PostgreSQL commit (fsync); a
 * NOTIFY from one connection to a LISTENing one.
 */
export interface HopRow {
  hop: string;
  ms: Summary;
  /** The floor this hop cannot beat (a name of `floors`), when one applies. */
  floor?: string;
}

export interface HopsResult {
  samples: number;
  hops: HopRow[];
  floors: Record<string, Summary>;
}

const MARKS = ['sent', 'accepted', 'profilesPublished', 'row', 'venuesPublished', 'feed', 'sse'] as const;
type Mark = (typeof MARKS)[number];

const HOPS: { hop: string; from: Mark; to: Mark; floor?: string }[] = [
  { hop: 'PUT sent → 2xx at the client (gateway proxy, profiles handler, its commit)', from: 'sent', to: 'accepted', floor: 'one-row commit' },
  { hop: 'PUT sent → published on PROFILES (the command, then its outbox relay)', from: 'sent', to: 'profilesPublished', floor: 'one-row commit' },
  { hop: 'on PROFILES → venue row committed (venues consumer, one transaction)', from: 'profilesPublished', to: 'row', floor: 'JetStream publish → consumer' },
  { hop: 'venue row committed → VenueSynced on VENUES (outbox relay)', from: 'row', to: 'venuesPublished', floor: 'NOTIFY round trip' },
  { hop: 'on VENUES → feed row committed (gateway consumer, one transaction)', from: 'venuesPublished', to: 'feed', floor: 'JetStream publish → consumer' },
  { hop: 'feed committed → SSE client (the rows handed to the tail in-process, write, parse)', from: 'feed', to: 'sse', floor: 'NOTIFY round trip' },
  { hop: 'end to end: PUT sent → SSE client', from: 'sent', to: 'sse' },
];

export async function runHops(opts: {
  gatewayUrl: string;
  databaseUrl: string;
  broker: Broker;
  namespace: string;
  owner: Owner;
  updates: number;
  log: (l: string) => void;
}): Promise<HopsResult> {
  const { broker, namespace, owner } = opts;
  const root = (context: string) => (namespace ? `${namespace}.${context}` : context);
  let current: Partial<Record<Mark, number>> | undefined;
  let marker = '';
  const mark = (m: Mark) => {
    if (current && current[m] === undefined) current[m] = now();
  };

  const listen = new Client({ connectionString: opts.databaseUrl });
  await listen.connect();
  listen.on('notification', (n) => {
    if (n.channel === 'bench_venue' && n.payload === marker) mark('row');
    else if (n.channel === 'bench_feed' && n.payload === marker) mark('feed');
  });
  for (const channel of ['bench_venue', 'bench_feed']) await listen.query(`LISTEN ${channel}`);
  // A NOTIFY at each commit times it exactly; one update at a time, the wake-ups it costs every listener of the database delay no other update.
  await listen.query(`CREATE OR REPLACE FUNCTION public.bench_venue_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('bench_venue', NEW.description); RETURN NEW; END $$`);
  await listen.query('CREATE TRIGGER bench_venue_notify AFTER UPDATE ON venues.venues FOR EACH ROW EXECUTE FUNCTION public.bench_venue_notify()');
  await listen.query(`CREATE OR REPLACE FUNCTION public.bench_feed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('bench_feed', coalesce(NEW.data->'changes'->>'description', '')); RETURN NEW; END $$`);
  await listen.query(`CREATE TRIGGER bench_feed_notify AFTER INSERT ON gateway.changes FOR EACH ROW WHEN (NEW.event_type = 'VenueSynced') EXECUTE FUNCTION public.bench_feed_notify()`);
  const seen = (m: Mark) => (_: Error | null, msg: { string(): string }) => {
    if (marker && msg.string().includes(marker)) mark(m);
  };
  const subs = [
    broker.nc.subscribe(`${root('profiles')}.user.${owner.id}.>`, { callback: seen('profilesPublished') }),
    broker.nc.subscribe(`${root('venues')}.>`, { callback: seen('venuesPublished') }),
  ];
  const es = await openEventSource(`${opts.gatewayUrl}/api/sync/events`, owner.token, (msg) => {
    if (msg.type === 'data_change' && msg.eventType === 'VenueSynced' && msg.data?.changes?.description === marker) mark('sse');
  });

  const rows: Record<Mark, number>[] = [];
  try {
    for (let i = 0; i < opts.updates; i++) {
      marker = `hop-${Date.now().toString(36)}-${i}`;
      current = { sent: now() };
      const put = httpJson('PUT', `${opts.gatewayUrl}/api/users/profile`, { profileInfo: { venueDescription: marker } }, { authorization: `Bearer ${owner.token}` });
      const { status } = await put;
      if (status !== 200) throw new Error(`PUT answered ${status}`);
      mark('accepted');
      const deadline = now() + 5000;
      while (current.sse === undefined && now() < deadline) await sleep(2);
      if (MARKS.every((m) => current![m] !== undefined)) rows.push(current as Record<Mark, number>);
      current = undefined;
      await sleep(100);
    }
  } finally {
    es.close();
    for (const s of subs) s.unsubscribe();
    await listen.query('DROP TRIGGER bench_venue_notify ON venues.venues; DROP TRIGGER bench_feed_notify ON gateway.changes');
    await listen.end();
  }
  if (rows.length < opts.updates) opts.log(`  hops: ${opts.updates - rows.length} of ${opts.updates} updates missed a mark (not counted)`);
  const floors = await measureFloors(opts.databaseUrl, broker, namespace);
  return {
    samples: rows.length,
    hops: HOPS.map(({ hop, from, to, floor }) => ({ hop, ms: summarize(rows.map((r) => r[to] - r[from])), floor })),
    floors,
  };
}

/** The floors, 50 samples each: what a hop built on these parts cannot beat. */
async function measureFloors(databaseUrl: string, broker: Broker, namespace: string): Promise<Record<string, Summary>> {
  const n = 50;
  const a = new Client({ connectionString: databaseUrl });
  const b = new Client({ connectionString: databaseUrl });
  await Promise.all([a.connect(), b.connect()]);
  const commit: number[] = [];
  const notify: number[] = [];
  const js: number[] = [];
  const stream = `${namespace}_BENCH_FLOOR`;
  try {
    await a.query('CREATE TABLE IF NOT EXISTS public.bench_floor_commit (i int)');
    for (let i = 0; i < n; i++) {
      const t = now();
      await a.query('INSERT INTO public.bench_floor_commit VALUES ($1)', [i]);
      commit.push(now() - t);
    }
    await a.query('DROP TABLE public.bench_floor_commit');
    await b.query('LISTEN bench_floor');
    for (let i = 0; i < n; i++) {
      const got = new Promise<number>((resolve) => b.once('notification', () => resolve(now())));
      const t = now();
      await a.query(`NOTIFY bench_floor, '${i}'`);
      notify.push((await got) - t);
    }
    await broker.jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    await broker.jsm.consumers.add(stream, { durable_name: 'floor', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
    const consumer = await broker.js.consumers.get(stream, 'floor');
    for (let i = 0; i < n; i++) {
      const fetched = consumer.fetch({ max_messages: 1, expires: 5000 });
      await sleep(5);
      const t = now();
      await broker.js.publish(`${stream}.x`, String(i));
      for await (const m of await fetched) {
        js.push(now() - t);
        m.ack();
      }
    }
    return {
      'one-row commit': summarize(commit),
      'NOTIFY round trip': summarize(notify),
      'JetStream publish → consumer': summarize(js),
    };
  } finally {
    await broker.jsm.streams.delete(stream).catch(() => undefined);
    await Promise.all([a.end(), b.end()]);
  }
}
