#!/usr/bin/env node
/**
 * Profiles' `users` table rebuilt from its event store (`rebuildFromEventStore`, what
 * `npm run replay -- users` runs), beside the least such a rebuild does: reading the same
 * events in position order, in batches of the same size, each row's payload parsed.
 *
 * The profiles module runs in this process on a fresh database (its migrations, its event
 * store). USERS users of EVENTS events each are written into the event store with one
 * INSERT … SELECT, in version order (every batch of the bulk load holds every user), as
 * registrations and profile changes the fold accepts; their `users` rows are the first
 * bulk load's shadow, so each measured rebuild runs to its swap. Then, ROUNDS times
 * alternated: the raw read, and the rebuild (its bulk load timed to its first catch-up
 * report, and in all).
 *
 * Until the thirty-fourth session the bulk load read each batch's users back from the shadow
 * and wrote them again; it now holds the folded states and writes each row once.
 *
 * Run after `npm run build`: node test/bench/users-rebuild.js [users, default 5000] [events each, default 21] [rounds, default 3]
 * (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres, gets a fresh database that is
 * dropped after; NATS_URL, default nats://127.0.0.1:4222, streams of their own, deleted after.)
 */
const { join } = require('node:path');
process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
process.env.NATS_URL ??= 'nats://127.0.0.1:4222';
require('reflect-metadata');
const { DataSource } = require('typeorm');
const { uuidv7, parseEvent } = require('@ripple/contracts');
const { EventStore, rowToEnvelope } = require('@ripple/event-store');
const { rebuildFromEventStore } = require('@ripple/projections');
const { BROKER, createServiceContext } = require('@ripple/service-host');
const { createTestDatabase, deleteNamespaceStreams, testNamespace } = require('@ripple/testing');

const apps = join(__dirname, '..', '..', 'apps', 'profiles', 'dist');
const { ProfilesModule } = require(join(apps, 'profiles.module'));
const { registerUser, updateProfile } = require(join(apps, 'users', 'user'));
const { UserRepository } = require(join(apps, 'users', 'user.repository'));
const { usersReadModel } = require(join(apps, 'users', 'users.read-model'));

const USERS = Number(process.argv[2] ?? 5_000);
const EVENTS = Number(process.argv[3] ?? 21);
const ROUNDS = Number(process.argv[4] ?? 3);
/** rebuildFromEventStore's default batch. */
const BATCH = 10_000;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

(async () => {
  const db = await createTestDatabase('ripple_users_rebuild', process.env.DATABASE_URL);
  const namespace = testNamespace();
  Object.assign(process.env, { DATABASE_URL: db.url, RIPPLE_NAMESPACE: namespace, JWT_SECRET: 'bench-secret-at-least-16-chars', LOG_LEVEL: 'error' });
  const app = await createServiceContext(ProfilesModule);
  const ds = app.get(DataSource);
  try {
    // Two events made by the command path: the templates of every user's registration and changes.
    const ctx = { correlationId: 'bench', causationId: 'bench', actor: 'bench' };
    const repo = new UserRepository(ds, app.get(EventStore));
    const template = uuidv7();
    await repo.create(template, registerUser({ userId: template, username: 'template', email: 'template@x.test', role: 'venue', profileInfo: { venueName: 'Arena' } }), 'hash', ctx);
    await repo.update(template, (s) => updateProfile(s, { changes: { bio: 'first' } }), ctx);
    // The relay would publish them all: these events are for the rebuild only.
    await ds.query('ALTER TABLE profiles.events DISABLE TRIGGER USER');
    await ds.query(`
      WITH users AS (SELECT gen_random_uuid()::text AS sid, n FROM generate_series(1, $1) n),
      v AS (SELECT generate_series(1, $2) AS version)
      INSERT INTO profiles.events (id, stream_id, aggregate_type, version, type, schema_version, data, correlation_id, causation_id, actor, occurred_at)
      SELECT gen_random_uuid(), u.sid, t.aggregate_type, v.version, t.type, t.schema_version,
        CASE WHEN v.version = 1
          THEN t.data || jsonb_build_object('userId', u.sid, 'email', u.sid || '@x.test', 'username', 'user' || u.n)
          ELSE jsonb_set(t.data, '{changes,bio}', to_jsonb('bio ' || v.version)) END,
        t.correlation_id, t.causation_id, t.actor, t.occurred_at
      FROM v CROSS JOIN users u JOIN profiles.events t ON t.stream_id = $3 AND t.version = LEAST(v.version, 2)
      ORDER BY v.version, u.n`, [USERS, EVENTS, template]);
    await ds.query('ALTER TABLE profiles.events ENABLE TRIGGER USER');
    const [{ events }] = await ds.query('SELECT count(*)::int AS events FROM profiles.events');
    // The live rows: the fold of those events, as the first bulk load writes it.
    await rebuildFromEventStore(ds, usersReadModel, {
      schema: 'profiles',
      onProgress: (p) => {
        if (p.phase === 'catching-up') throw new Error('bulk load done');
      },
    }).catch((err) => {
      if (err.message !== 'bulk load done') throw err;
    });
    await ds.query('INSERT INTO profiles.users SELECT * FROM profiles.users__rebuild WHERE id <> $1', [template]);
    console.log(`users rebuild: ${events} events of ${USERS + 1} users, ${ROUNDS} rounds, each the raw read then the rebuild`);

    /** The least a rebuild does: the events in position order, a batch at a time, each payload parsed as the rebuild parses it. */
    const rawRead = async () => {
      const t = performance.now();
      let after = '0';
      let read = 0;
      for (;;) {
        const rows = await ds.query('SELECT * FROM profiles.events WHERE position > $1 ORDER BY position LIMIT $2', [after, BATCH]);
        if (rows.length === 0) break;
        after = rows[rows.length - 1].position;
        for (const r of rows) if (parseEvent(rowToEnvelope(r)).aggregateVersion > 0) read++;
      }
      if (read !== events) throw new Error(`the raw read parsed ${read} events, not ${events}`);
      return performance.now() - t;
    };
    const rebuild = async () => {
      const t = performance.now();
      let bulk = 0;
      await rebuildFromEventStore(ds, usersReadModel, { schema: 'profiles', onProgress: (p) => (bulk ||= p.phase === 'catching-up' ? performance.now() - t : 0) });
      const [{ rows }] = await ds.query('SELECT count(*)::int AS rows FROM profiles.users');
      if (rows !== USERS + 1) throw new Error(`the rebuilt table holds ${rows} rows, not ${USERS + 1}`);
      return { bulk, all: performance.now() - t };
    };
    const perSecond = (ms) => Math.round(events / (ms / 1000));
    const runs = [];
    for (let i = 0; i < ROUNDS; i++) {
      const raw = await rawRead();
      const r = await rebuild();
      runs.push({ raw, ...r });
      console.log(`  round ${i + 1}: raw read ${perSecond(raw)}/s; rebuild ${perSecond(r.all)}/s in all (${(r.all / 1000).toFixed(2)} s), its bulk load ${perSecond(r.bulk)}/s (${(r.bulk / 1000).toFixed(2)} s)`);
    }
    const raw = perSecond(median(runs.map((r) => r.raw)));
    const all = perSecond(median(runs.map((r) => r.all)));
    const bulk = perSecond(median(runs.map((r) => r.bulk)));
    console.log(`median: raw read ${raw}/s; rebuild ${all}/s (${(all / raw).toFixed(2)}× the raw read), its bulk load ${bulk}/s (${(bulk / raw).toFixed(2)}×)`);
  } finally {
    await deleteNamespaceStreams(app.get(BROKER).jsm, namespace).catch(() => undefined);
    await app.close();
    await db.drop();
  }
  process.exit(0);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
