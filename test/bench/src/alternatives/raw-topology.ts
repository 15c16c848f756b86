import { createServer, type ServerResponse } from 'node:http';
import { Client } from 'pg';
import { connect } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { uuidv7, type EventEnvelope } from '@ripple/contracts';
import { bearerSubject, readBody, send } from './plain-http';
import { directoryWriteSql } from './directory-write';
import { RAW_TOPOLOGY_SCHEMA as S, rawTopologyStream, rawTopologySubject } from './raw-topology-names';

/**
 * Scenario 2's floor under "direct to profiles": Ripple's topology, with the
 * same writes, done raw. Three processes, as Ripple runs its services (ROLE):
 *   profiles  PUT /c/profile: verifies the bearer token and the body; the updates that queue while a
 *             statement runs go together in the next (one per user), which updates their user rows and
 *             appends their UserProfileUpdated events (event rows and outbox rows), one commit for all,
 *             as Ripple's grouped appends share theirs; 200 after it. Each event then goes into the
 *             stream by a core publish on its subject (stored by JetStream, no PubAck asked for).
 *   venues    follows the profiles stream (a durable pull consumer; one batch written at a time, of
 *             everything delivered meanwhile, up to 500): each batch is folded, per owner, to the rows the
 *             venue directory writes (owner profile, venue, a VenueSynced event and its outbox row per
 *             change, a checkpoint per owner), written in one statement; then its VenueSynced events are
 *             published the same way and the batch acked.
 *   gateway   follows both streams the same way: each batch becomes change-feed rows with their
 *             audience and the checkpoints, in one statement; after its commit each change goes to its
 *             owner's SSE clients (GET /c/events), and the batch is acked.
 * Nothing else: no locks, no next-in-line or duplicate checks, no validation of events, no outbox relay
 * (the outbox rows are written, never read or cleared), no idempotency keys, no metrics, logging or
 * tracing, no framework. A crash loses what was committed and not yet published; this is a floor to
 * measure against, not a way to run.
 *   profiles-behind-edge  the profiles role's write behind Ripple's HTTP edge instead (Nest on Fastify,
 *             the strict validation pipe, the profiles app's DTO and bearer guard): scenario 2's
 *             alternative d, measured in place of the plain profiles role, with the same venues and gateway.
 */
const role = process.env.ROLE as 'profiles' | 'profiles-behind-edge' | 'venues' | 'gateway';
const prefix = process.env.PREFIX!;
const secret = process.env.JWT_SECRET!;
const databaseUrl = process.env.DATABASE_URL!;
const BATCH = 500;

type Envelope = EventEnvelope<string, any>;

const fail = (err: unknown) => {
  console.error(`raw topology (${role}): ${(err as Error).stack ?? err}`);
  process.exit(1);
};

/**
 * Follows `stream` from a fresh durable: messages queue as they are delivered, and one batch at a
 * time takes everything queued (up to BATCH) to `write`, on one connection, so batches commit in
 * stream order and whatever arrives during a write goes in the next. A batch is acked once `write`
 * (its commit) is done.
 */
async function follow(js: ReturnType<typeof jetstream>, jsm: Awaited<ReturnType<typeof jetstreamManager>>, stream: string, durable: string, write: (events: Envelope[]) => Promise<void>) {
  await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: 3 * BATCH });
  const messages = await (await js.consumers.get(stream, durable)).consume({ max_messages: BATCH });
  const queue: JsMsg[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const delivered = (async () => {
    for await (const m of messages) {
      queue.push(m);
      wake?.();
    }
  })().finally(() => {
    ended = true;
    wake?.();
  });
  const loop = async () => {
    for (;;) {
      if (queue.length === 0) {
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const taken = queue.splice(0, BATCH);
      await write(taken.map((t) => t.json<Envelope>()));
      for (const t of taken) t.ack();
    }
  };
  return { loop: Promise.all([delivered, loop()]).then(() => undefined) };
}

/**
 * The profiles role's write: every update that queued while the last statement ran, one per user,
 * goes in the next statement, one commit for all (as Ripple's grouped appends share theirs); each
 * event then goes into the stream by a core publish on its subject (stored, no PubAck asked for).
 */
async function profileUpdates() {
  const nc = await connect({ servers: process.env.NATS_URL, name: 'raw-topology-profiles' });
  const pg = new Client({ connectionString: databaseUrl, application_name: 'raw-topology-profiles' });
  await pg.connect();
  const update = `WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(user_id uuid, changes jsonb, event_id uuid, occurred_at timestamptz)),
    u AS (
      UPDATE ${S}.users SET profile_info = profile_info || x.changes, version = version + 1, updated_at = x.occurred_at FROM x WHERE id = x.user_id
      RETURNING users.id, users.username, users.email, users.role, users.profile_info, users.version, users.created_at, users.updated_at, x.event_id),
    e AS (INSERT INTO ${S}.profile_events (id, stream_id, aggregate_type, version, type, schema_version, data, correlation_id, causation_id, actor, occurred_at)
      SELECT u.event_id, u.id::text, 'user', u.version, 'UserProfileUpdated', 1, jsonb_build_object('changes', x.changes), u.event_id::text, u.id::text, u.id::text, u.updated_at
      FROM u JOIN x ON x.event_id = u.event_id
      RETURNING position),
    o AS (INSERT INTO ${S}.profile_outbox (position) SELECT position FROM e)
    SELECT * FROM u`;
  type Waiting = { user_id: string; changes: Record<string, unknown>; event_id: string; occurred_at: string; done(user: any): void; failed(err: unknown): void };
  const waiting: Waiting[] = [];
  let running = false;
  const drain = async () => {
    running = true;
    while (waiting.length > 0) {
      // The first of each user, up to 64; the rest wait for the next statement, in order.
      const users = new Set<string>();
      const group: Waiting[] = [];
      const later: Waiting[] = [];
      for (const w of waiting.splice(0)) {
        if (group.length < 64 && !users.has(w.user_id)) {
          users.add(w.user_id);
          group.push(w);
        } else later.push(w);
      }
      waiting.push(...later);
      try {
        const { rows } = await pg.query(update, [JSON.stringify(group.map(({ user_id, changes, event_id, occurred_at }) => ({ user_id, changes, event_id, occurred_at })))]);
        const byEvent = new Map(rows.map((r) => [r.event_id as string, r]));
        for (const w of group) w.done(byEvent.get(w.event_id));
      } catch (err) {
        for (const w of group) w.failed(err);
      }
    }
    running = false;
  };
  /** Updates the user's profile; the user row as updated, or undefined if there is no such user. */
  const updateProfile = async (userId: string, changes: Record<string, unknown>) => {
    const id = uuidv7();
    const occurredAt = new Date().toISOString();
    const row = await new Promise<any>((done, failed) => {
      waiting.push({ user_id: userId, changes, event_id: id, occurred_at: occurredAt, done, failed });
      if (!running) void drain();
    });
    if (!row) return undefined;
    const { event_id: _, ...user } = row;
    const event: Envelope = {
      id, type: 'UserProfileUpdated', schemaVersion: 1, aggregateType: 'user', aggregateId: userId, aggregateVersion: user.version, occurredAt,
      correlationId: id, causationId: userId, actor: userId, data: { changes },
    };
    nc.publish(rawTopologySubject(prefix, 'profiles', userId), JSON.stringify(event));
    return user;
  };
  return { updateProfile, close: async () => (await pg.end(), await nc.drain()) };
}

/** PUT /c/profile on a plain Node HTTP server: the token and the body checked by hand. */
async function profiles() {
  const { updateProfile, close } = await profileUpdates();
  const PROFILE_KEYS = new Set(['fullName', 'venueName', 'venueLocation', 'venueDescription', 'venueEmail', 'venueWebsite', 'businessName']);
  const server = createServer(async (req, res) => {
    try {
      if (req.url === '/health') return send(res, 200, { ok: true });
      const userId = bearerSubject(req, secret);
      if (!userId) return send(res, 401, { success: false, error: { code: 'AUTH_REQUIRED' } });
      if (req.method !== 'PUT' || req.url !== '/c/profile') return send(res, 404, { success: false });
      const info = (await readBody(req))?.profileInfo;
      if (typeof info !== 'object' || info === null || Object.keys(info).some((k) => !PROFILE_KEYS.has(k) || typeof info[k] !== 'string')) {
        return send(res, 400, { success: false, error: { code: 'VALIDATION_FAILED' } });
      }
      const user = await updateProfile(userId, info);
      if (!user) return send(res, 404, { success: false, error: { code: 'USER_NOT_FOUND' } });
      send(res, 200, { success: true, data: user });
    } catch (err) {
      send(res, 500, { success: false, error: { message: (err as Error).message } });
    }
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.env.PORT), '127.0.0.1');
  return async () => {
    server.closeAllConnections();
    server.close();
    await close();
  };
}

/**
 * PUT /c/profile behind Ripple's HTTP edge, as every service has it (createHttpApp: Nest on
 * Fastify, correlation ids, request metrics, the JSON body checks, the strict validation pipe):
 * the profiles app's own UpdateProfileDto and BearerAuthGuard, then the same raw write.
 */
async function profilesBehindEdge() {
  const { updateProfile, close } = await profileUpdates();
  const { NotFoundException } = require('@nestjs/common') as typeof import('@nestjs/common');
  const { createProfileEdgeApp } = require('./edge-app') as typeof import('./edge-app');
  const app = await createProfileEdgeApp({
    secret,
    update: async (profileInfo, userId) => {
      const changes = Object.fromEntries(Object.entries(profileInfo).filter(([, v]) => v !== undefined));
      const user = await updateProfile(userId!, changes);
      if (!user) throw new NotFoundException({ code: 'USER_NOT_FOUND', message: 'no such user' });
      return { success: true, data: user };
    },
  });
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  return async () => {
    await app.close();
    await close();
  };
}

async function venues() {
  const nc = await connect({ servers: process.env.NATS_URL, name: 'raw-topology-venues' });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const pg = new Client({ connectionString: databaseUrl, application_name: 'raw-topology-venues' });
  await pg.connect();
  type Venue = { id: string; owner_id: string; name: string; location: string; description: string; contact_info: object; created_at: string; updated_at: string; last_event_id: string; last_event_type: string; version: number };
  type Profile = { user_id: string; username: string; role: string; profile_info: Record<string, unknown> };
  // Each owner's entry as last written (the directory's memory of users), from the rows as they stand.
  const entries = new Map<string, { profile: Profile; venue: Venue }>();
  const { rows } = await pg.query(`SELECT to_jsonb(p) AS profile, to_jsonb(v) AS venue FROM ${S}.owner_profiles p JOIN ${S}.venues v ON v.owner_id = p.user_id`);
  for (const r of rows) entries.set(r.profile.user_id, { profile: r.profile, venue: r.venue });
  const write = directoryWriteSql({ ownerProfiles: `${S}.owner_profiles`, venues: `${S}.venues`, events: `${S}.venue_events`, outbox: `${S}.venue_outbox`, checkpoints: `${S}.venue_checkpoints` });
  const VENUE_FIELDS: Record<string, keyof Venue> = { venueName: 'name', venueLocation: 'location', venueDescription: 'description' };
  const { loop: stopped } = await follow(js, jsm, rawTopologyStream(prefix, 'profiles'), 'raw-topology-venues', async (events) => {
    const touched = new Set<string>();
    const synced: Envelope[] = [];
    const checkpoints = new Map<string, { aggregate_id: string; version: number; event_id: string }>();
    for (const e of events) {
      const before = entries.get(e.aggregateId);
      if (!before || e.type !== 'UserProfileUpdated') continue;
      const changes: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(e.data.changes as Record<string, unknown>)) if (VENUE_FIELDS[k]) changes[VENUE_FIELDS[k]] = v;
      const venue: Venue = { ...before.venue, ...changes, updated_at: e.occurredAt, last_event_id: e.id, last_event_type: e.type, version: before.venue.version + 1 };
      entries.set(e.aggregateId, { profile: { ...before.profile, profile_info: { ...before.profile.profile_info, ...e.data.changes } }, venue });
      synced.push({
        id: uuidv7(), type: 'VenueSynced', schemaVersion: 1, aggregateType: 'venue', aggregateId: venue.id, aggregateVersion: venue.version, occurredAt: e.occurredAt,
        correlationId: e.correlationId, causationId: e.id, actor: 'service:venues', data: { ownerId: venue.owner_id, created: false, changes },
      });
      checkpoints.set(e.aggregateId, { aggregate_id: e.aggregateId, version: e.aggregateVersion, event_id: e.id });
      touched.add(e.aggregateId);
    }
    const written = [...touched].map((id) => entries.get(id)!);
    await pg.query(write, [
      JSON.stringify(written.map((w) => w.profile)),
      JSON.stringify(written.map((w) => w.venue)),
      JSON.stringify(synced.map((s) => ({
        id: s.id, stream_id: s.aggregateId, aggregate_type: s.aggregateType, version: s.aggregateVersion, type: s.type, schema_version: 1, data: s.data,
        correlation_id: s.correlationId, causation_id: s.causationId, actor: s.actor, occurred_at: s.occurredAt,
      }))),
      JSON.stringify([...checkpoints.values()]),
    ]);
    for (const s of synced) nc.publish(rawTopologySubject(prefix, 'venues', s.aggregateId), JSON.stringify(s));
  });
  stopped.catch(fail);
  return async () => {
    await nc.drain();
    await stopped;
    await pg.end();
  };
}

async function gateway() {
  const nc = await connect({ servers: process.env.NATS_URL, name: 'raw-topology-gateway' });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const clients = new Map<string, Set<ServerResponse>>();
  const server = createServer((req, res) => {
    if (req.url === '/health') return send(res, 200, { ok: true });
    const userId = bearerSubject(req, secret);
    if (!userId) return send(res, 401, { success: false, error: { code: 'AUTH_REQUIRED' } });
    if (req.method !== 'GET' || req.url !== '/c/events') return send(res, 404, { success: false });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(`retry: 1000\n\ndata: ${JSON.stringify({ type: 'connected', userId })}\n\n`);
    const set = clients.get(userId) ?? clients.set(userId, new Set()).get(userId)!;
    set.add(res);
    req.on('close', () => set.delete(res));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.env.PORT), '127.0.0.1');
  const feed = async (source: 'profiles' | 'venues') => {
    const pg = new Client({ connectionString: databaseUrl, application_name: `raw-topology-gateway-${source}` });
    await pg.connect();
    const write = `WITH ins AS (
        INSERT INTO ${S}.changes (event_id, change_type, table_name, aggregate_id, aggregate_version, event_type, operation, data, occurred_at)
        SELECT event_id, change_type, table_name, aggregate_id, aggregate_version, event_type, operation, data, occurred_at
        FROM jsonb_to_recordset($1::jsonb) AS x(seq int, event_id uuid, change_type text, table_name text, aggregate_id text, aggregate_version int, event_type text, operation text, data jsonb, occurred_at timestamptz)
        ORDER BY seq RETURNING event_id, position),
      aud AS (INSERT INTO ${S}.change_audience (user_id, position) SELECT a.user_id, ins.position FROM ins JOIN unnest($2::uuid[], $3::uuid[]) AS a(event_id, user_id) ON a.event_id = ins.event_id),
      c AS (INSERT INTO ${S}.feed_checkpoints_${source} (aggregate_id, version, event_id)
        SELECT * FROM jsonb_to_recordset($4::jsonb) AS x(aggregate_id text, version int, event_id uuid)
        ON CONFLICT (aggregate_id) DO UPDATE SET version = EXCLUDED.version, event_id = EXCLUDED.event_id, applied_at = now())
      SELECT event_id, position FROM ins ORDER BY position`;
    const { loop } = await follow(js, jsm, rawTopologyStream(prefix, source), `raw-topology-feed-${source}`, async (events) => {
      const audience = events.map((e) => (e.type === 'VenueSynced' ? e.data.ownerId : e.aggregateId) as string);
      const checkpoints = new Map(events.map((e) => [e.aggregateId, { aggregate_id: e.aggregateId, version: e.aggregateVersion, event_id: e.id }]));
      const { rows } = await pg.query(write, [
        JSON.stringify(events.map((e, seq) => ({
          seq, event_id: e.id, change_type: e.aggregateType, table_name: source === 'profiles' ? 'users' : 'venues', aggregate_id: e.aggregateId,
          aggregate_version: e.aggregateVersion, event_type: e.type, operation: 'update', data: e.data, occurred_at: e.occurredAt,
        }))),
        events.map((e) => e.id),
        audience,
        JSON.stringify([...checkpoints.values()]),
      ]);
      const byId = new Map(events.map((e, i) => [e.id, { e, user: audience[i] }]));
      for (const { event_id, position } of rows) {
        const { e, user } = byId.get(event_id)!;
        const set = clients.get(user);
        if (!set?.size) continue;
        const frame = `id: ${position}\ndata: ${JSON.stringify({
          type: 'data_change', changeType: e.aggregateType, tableName: source === 'profiles' ? 'users' : 'venues', recordId: e.aggregateId, eventType: e.type,
          operation: 'update', version: e.aggregateVersion, data: e.data, occurredAt: e.occurredAt, position: Number(position),
        })}\n\n`;
        for (const res of set) res.write(frame);
      }
    });
    // Wrapped: returned bare, the loop's promise would be adopted, and `feed` would settle only when it ends.
    return { loop: loop.finally(() => pg.end()) };
  };
  const feeds = await Promise.all([feed('profiles'), feed('venues')]);
  const stopped = Promise.all(feeds.map((f) => f.loop)).catch(fail);
  return async () => {
    for (const set of clients.values()) for (const r of set) r.end();
    server.closeAllConnections();
    server.close();
    await nc.drain();
    await stopped;
  };
}

async function main() {
  const roles = { profiles, 'profiles-behind-edge': profilesBehindEdge, venues, gateway };
  if (!(role in roles)) throw new Error(`ROLE must be one of ${Object.keys(roles).join(', ')}, not ${role}`);
  const stop = await roles[role]();
  process.once('SIGTERM', () => void stop().catch(() => undefined).finally(() => process.exit(0)));
  // The bench gone (killed, say) without stopping it: nothing is left running.
  process.once('disconnect', () => process.exit(0));
  process.send?.('ready');
}

main().catch(fail);
