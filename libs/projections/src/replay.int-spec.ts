import { DataSource, type EntityManager } from 'typeorm';
import { eventSubject, streamName, uuidv7, type DomainEvent, type UserProfileUpdated } from '@ripple/contracts';
import { connectBroker, ensureStream, type Broker } from '@ripple/messaging';
import { JsonLogger, RippleMetrics } from '@ripple/observability';
import { createTestDatabase, deleteNamespaceStreams, eventually, testNamespace, testNatsUrl, type TestDatabase } from '@ripple/testing';
import { DeadLetterStore } from './dead-letters';
import { checkpointTable, type Projection, type TableMap } from './projection';
import { ProjectionRunner } from './projection-runner';
import { replayProjection, type ReplayProgress } from './replay';
import { createCheckpointTable, createDeadLetterTable, qualify } from './schema';

/**
 * Blue/green rebuild against real PostgreSQL and NATS JetStream, while the live
 * runner keeps applying new events.
 */
const logger = new JsonLogger('replay-itest', 'error');
const PROJECTION = 'itest-directory';
const SCHEMA = 'replay_itest';

/** One row per aggregate, plus a log with one row per application (serial key, like a change feed). */
function directoryProjection(label: string, beforeApply?: () => Promise<void>): Projection {
  return {
    name: PROJECTION,
    source: 'profiles',
    tables: ['itest_directory', 'itest_directory_log'],
    async apply(tx: EntityManager, events: DomainEvent[], tables: TableMap) {
      await beforeApply?.();
      const ids = events.map((e) => e.id);
      const aggregates = events.map((e) => e.aggregateId);
      const versions = events.map((e) => e.aggregateVersion);
      const names = events.map((e) => (e as UserProfileUpdated).data.changes.fullName ?? null);
      await tx.query(
        `INSERT INTO ${tables('itest_directory_log')} (event_id, aggregate_id, version, full_name, applied_by)
         SELECT e.id, e.agg, e.v, e.name, $5 FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[]) WITH ORDINALITY AS e(id, agg, v, name, n) ORDER BY e.n`,
        [ids, aggregates, versions, names, label],
      );
      for (const e of events) {
        await tx.query(
          `INSERT INTO ${tables('itest_directory')} AS d (aggregate_id, full_name, version, applied) VALUES ($1, $2, $3, 1)
           ON CONFLICT (aggregate_id) DO UPDATE SET full_name = EXCLUDED.full_name, version = EXCLUDED.version, applied = d.applied + 1`,
          [e.aggregateId, (e as UserProfileUpdated).data.changes.fullName ?? null, e.aggregateVersion],
        );
      }
    },
  };
}

describe('replayProjection (PostgreSQL + JetStream)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let broker: Broker;
  let runner: ProjectionRunner | undefined;
  const namespace = testNamespace();

  beforeAll(async () => {
    db = await createTestDatabase('ripple_replay');
    dataSource = new DataSource({ type: 'postgres', url: db.url, synchronize: false, logging: false, extra: { max: 20 } });
    await dataSource.initialize();
    broker = await connectBroker(await testNatsUrl(), 'replay-itest');
    await ensureStream(broker, namespace, 'profiles');
    const qr = dataSource.createQueryRunner();
    try {
      await qr.query(`CREATE SCHEMA ${SCHEMA}`);
      await createDeadLetterTable(qr, SCHEMA);
      await createCheckpointTable(qr, SCHEMA, PROJECTION);
      await qr.query(`CREATE TABLE ${qualify(SCHEMA, 'itest_directory')} (aggregate_id text PRIMARY KEY, full_name text, version integer NOT NULL, applied integer NOT NULL)`);
      await qr.query(`
        CREATE TABLE ${qualify(SCHEMA, 'itest_directory_log')} (
          seq bigserial PRIMARY KEY, event_id uuid NOT NULL, aggregate_id text NOT NULL, version integer NOT NULL, full_name text, applied_by text NOT NULL
        )`);
      await qr.query(`CREATE INDEX itest_directory_log_aggregate_idx ON ${qualify(SCHEMA, 'itest_directory_log')} (aggregate_id, version)`);
    } finally {
      await qr.release();
    }
  });

  afterAll(async () => {
    await runner?.stop().catch(() => undefined);
    if (broker) {
      await deleteNamespaceStreams(broker.jsm, namespace).catch(() => undefined);
      await broker.nc.drain().catch(() => undefined);
    }
    if (dataSource?.isInitialized) await dataSource.destroy();
    await db?.drop();
  });

  const event = (aggregateId: string, aggregateVersion: number, fullName: string): UserProfileUpdated => {
    const id = uuidv7();
    return {
      id, type: 'UserProfileUpdated', schemaVersion: 1, aggregateType: 'user', aggregateId, aggregateVersion,
      occurredAt: new Date().toISOString(), correlationId: id, causationId: id, actor: 'itest', data: { changes: { fullName } },
    };
  };
  const publish = async (e: DomainEvent) =>
    broker.js.publish(eventSubject(namespace, 'profiles', e.aggregateType, e.aggregateId, e.type), JSON.stringify(e), { msgID: e.id });
  const publishAll = async (events: DomainEvent[]) => {
    for (const e of events) await publish(e);
  };
  /** version-major, so each aggregate's events are published in order */
  const versions = (aggregates: string[], from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => aggregates.map((id) => event(id, from + i, `${id.slice(-6)}-v${from + i}`))).flat();
  const count = async (table: string) => (await dataSource.query(`SELECT count(*)::int AS n FROM ${qualify(SCHEMA, table)}`))[0].n as number;
  const t = (table: string) => qualify(SCHEMA, table);
  /** pg_class.relpersistence of each table: 'p' logged, 'u' unlogged. */
  const persistence = async (tables: string[]) =>
    Promise.all(tables.map(async (table) => (await dataSource.query(`SELECT relpersistence AS p FROM pg_class WHERE oid = $1::regclass`, [t(table)]))[0].p as string));
  const storageOptions = async (tables: string[]) =>
    Promise.all(tables.map(async (table) => (await dataSource.query(`SELECT reloptions AS o FROM pg_class WHERE oid = $1::regclass`, [t(table)]))[0].o as string[] | null));
  /** Rows of `a` missing from `b` plus rows of `b` missing from `a`. */
  const symmetricDifference = async (a: string, b: string) =>
    (await dataSource.query(`SELECT count(*)::int AS n FROM ((${a} EXCEPT ALL ${b}) UNION ALL (${b} EXCEPT ALL ${a})) x`))[0].n as number;

  it('rebuilds into shadow tables and swaps; the rows equal the live ones and the live runner goes on exactly once', async () => {
    const metrics = new RippleMetrics('replay-itest');
    const live = directoryProjection('live');
    runner = new ProjectionRunner(dataSource, broker, live, new DeadLetterStore(dataSource, SCHEMA, [live]), {
      app: 'itest', schema: SCHEMA, namespace, databaseUrl: db.url, deadLetterAfter: 3, backoffBaseMs: 50, standbyPollMs: 100,
    }, metrics, logger);
    await runner.start();

    // Live history: 60 aggregates × 10 versions.
    const old = Array.from({ length: 60 }, () => uuidv7());
    const history = versions(old, 1, 10);
    await publishAll(history);
    await eventually(async () => (await count('itest_directory_log')) === history.length, { what: 'the live projection to apply the history' });

    // What the live projection holds before the rebuild.
    const cp = checkpointTable(PROJECTION);
    await dataSource.query(`CREATE TABLE ${t('before_directory')} AS SELECT * FROM ${t('itest_directory')}`);
    await dataSource.query(`CREATE TABLE ${t('before_checkpoints')} AS SELECT aggregate_id, version, event_id FROM ${t(cp)}`);
    await dataSource.query(`CREATE TABLE ${t('before_log')} AS SELECT event_id, aggregate_id, version, full_name FROM ${t('itest_directory_log')}`);

    // Published during the replay: new versions of 10 old aggregates and 20 new aggregates.
    const touched = old.slice(0, 10);
    const untouched = old.slice(10);
    const fresh = Array.from({ length: 20 }, () => uuidv7());
    const duringRebuild = [...versions(touched, 11, 12), ...versions(fresh, 1, 2)];
    const duringReplay = [...versions(touched, 13, 15), ...versions(fresh, 3, 5)];
    let backgroundPublishing: Promise<void> | undefined;
    let gateOpened = false;
    let rebuildDone = false;
    let swapGateOpened = false;
    // Published while the replay holds the projection's lock for catch-up and swap.
    const duringSwap = event(uuidv7(), 1, 'during-swap');
    let shadowPersistence: string[] = [];
    const hooks = async () => {
      if (!gateOpened) {
        // The first rebuild batch waits until events published after the replay started were applied live.
        gateOpened = true;
        shadowPersistence = await persistence(['itest_directory__rebuild', 'itest_directory_log__rebuild', `${cp}__rebuild`]);
        await publishAll(duringRebuild);
        await eventually(async () => (await count('itest_directory_log')) === history.length + duringRebuild.length, { what: 'live runner to apply during the rebuild' });
        backgroundPublishing = publishAll(duringReplay);
      } else if (rebuildDone && !swapGateOpened) {
        // Catching up: a live batch arriving now must wait for the swap (or it would write to tables about to be dropped).
        swapGateOpened = true;
        await publish(duringSwap);
        await eventually(async () => {
          const [{ waiting }] = await dataSource.query(`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
          const [{ applied }] = await dataSource.query(`SELECT count(*)::int AS applied FROM ${t('itest_directory_log')} WHERE event_id = $1`, [duringSwap.id]);
          return waiting > 0 || applied > 0;
        }, { what: 'the live runner to reach the event published during the swap' });
      }
    };
    const progress: ReplayProgress[] = [];
    const lastSeq = await replayProjection(dataSource, broker, directoryProjection('replay', hooks), {
      // Read on a worker thread, the rebuild and its catch-up alike, as a long stream would be (the other tests read theirs here).
      schema: SCHEMA, namespace, batchSize: 100, inThreadBelow: 0, onProgress: (p) => {
        progress.push(p);
        if (p.phase === 'rebuilding' && p.applied === p.total) rebuildDone = true;
      },
    });
    expect(gateOpened).toBe(true);
    expect(swapGateOpened).toBe(true);
    await backgroundPublishing;

    // Progress: rebuilding the history, then caught up and swapped.
    expect(progress[0]).toMatchObject({ projection: PROJECTION, phase: 'rebuilding', total: history.length });
    expect(progress.filter((p) => p.phase === 'rebuilding').at(-1)).toMatchObject({ applied: history.length, total: history.length });
    expect(progress.at(-1)).toMatchObject({ phase: 'swapped', applied: lastSeq });
    expect(progress.some((p) => p.phase === 'catching-up')).toBe(true);
    expect(lastSeq).toBeGreaterThanOrEqual(history.length + duringRebuild.length);
    // The shadows were bulk-loaded without WAL, and made durable before they became the live tables.
    expect(shadowPersistence).toEqual(['u', 'u', 'u']);
    expect(await persistence(['itest_directory', 'itest_directory_log', cp])).toEqual(['p', 'p', 'p']);
    // ... with the live tables' storage parameters, which LIKE does not copy: the checkpoints' room for updates.
    expect(await storageOptions([cp, 'itest_directory'])).toEqual([['fillfactor=60'], null]);
    // ... and analyzed, so the planner has statistics for them from the start.
    const analyzed = await dataSource.query(`SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = $1 AND tablename = ANY($2) ORDER BY 1`, [SCHEMA, ['itest_directory', 'itest_directory_log', cp]]);
    expect(analyzed.map((r: { tablename: string }) => r.tablename)).toEqual(['itest_directory', 'itest_directory_log', cp].sort());
    // The shadows became the live tables.
    const leftovers = await dataSource.query(`SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename LIKE '%\\_\\_rebuild'`, [SCHEMA]);
    expect(leftovers).toEqual([]);

    // The rebuilt rows of aggregates that did not change meanwhile equal the live rows before the rebuild ...
    const onlyUntouched = `WHERE aggregate_id = ANY('{${untouched.join(',')}}'::text[])`;
    expect(await count('before_directory')).toBe(60);
    expect(await symmetricDifference(
      `SELECT * FROM ${t('before_directory')} ${onlyUntouched}`,
      `SELECT * FROM ${t('itest_directory')} ${onlyUntouched}`,
    )).toBe(0);
    // ... and so do their checkpoints and application log.
    expect(await symmetricDifference(
      `SELECT * FROM ${t('before_checkpoints')} ${onlyUntouched}`,
      `SELECT aggregate_id, version, event_id FROM ${t(cp)} ${onlyUntouched}`,
    )).toBe(0);
    expect(await symmetricDifference(
      `SELECT * FROM ${t('before_log')} ${onlyUntouched}`,
      `SELECT event_id, aggregate_id, version, full_name FROM ${t('itest_directory_log')} ${onlyUntouched}`,
    )).toBe(0);

    // The live runner kept going through the swap, into the new tables.
    const afterSwap = [...versions(touched, 16, 16), ...versions(untouched.slice(0, 5), 11, 11), ...versions(fresh, 6, 6)];
    await publishAll(afterSwap);
    const all = [...history, ...duringRebuild, ...duringReplay, duringSwap, ...afterSwap];
    await eventually(async () => (await count('itest_directory_log')) === all.length, { what: 'every event applied after the swap' });
    expect(runner.isActive).toBe(true);

    // Exactly once, in order, and the same state a projection that never was rebuilt would hold.
    const log: { event_id: string; aggregate_id: string; version: number }[] = await dataSource.query(
      `SELECT event_id, aggregate_id, version FROM ${t('itest_directory_log')} ORDER BY seq`,
    );
    expect(new Set(log.map((r) => r.event_id)).size).toBe(all.length);
    expect(new Set(log.map((r) => r.event_id))).toEqual(new Set(all.map((e) => e.id)));
    const byAggregate = new Map<string, number[]>();
    for (const r of log) byAggregate.set(r.aggregate_id, [...(byAggregate.get(r.aggregate_id) ?? []), r.version]);
    for (const [id, vs] of byAggregate) expect({ id, vs }).toEqual({ id, vs: [...vs].sort((a, b) => a - b) });

    const lastOf = new Map<string, UserProfileUpdated>();
    for (const e of all) if ((lastOf.get(e.aggregateId)?.aggregateVersion ?? 0) < e.aggregateVersion) lastOf.set(e.aggregateId, e);
    const expectedRows = [...lastOf.values()].map((e) => ({ aggregate_id: e.aggregateId, full_name: e.data.changes.fullName, version: e.aggregateVersion, applied: e.aggregateVersion }));
    const rows = await dataSource.query(`SELECT aggregate_id, full_name, version, applied FROM ${t('itest_directory')}`);
    expect(sortById(rows)).toEqual(sortById(expectedRows));
    const checkpoints = await dataSource.query(`SELECT aggregate_id, version, event_id FROM ${t(cp)}`);
    expect(sortById(checkpoints)).toEqual(sortById([...lastOf.values()].map((e) => ({ aggregate_id: e.aggregateId, version: e.aggregateVersion, event_id: e.id }))));

    const stream = await broker.jsm.streams.info(streamName(namespace, 'profiles'));
    expect(stream.state.messages).toBe(all.length);

    // A second rebuild of a quiet stream reproduces the live tables exactly (and the
    // tables a first swap produced can be swapped again).
    await dataSource.query(`CREATE TABLE ${t('live_directory')} AS SELECT * FROM ${t('itest_directory')}`);
    await dataSource.query(`CREATE TABLE ${t('live_checkpoints')} AS SELECT aggregate_id, version, event_id FROM ${t(cp)}`);
    await dataSource.query(`CREATE TABLE ${t('live_log')} AS SELECT event_id, aggregate_id, version, full_name FROM ${t('itest_directory_log')}`);
    const maxSeqBefore = Number((await dataSource.query(`SELECT max(seq) AS m FROM ${t('itest_directory_log')}`))[0].m);
    expect(await replayProjection(dataSource, broker, directoryProjection('replay-2'), { schema: SCHEMA, namespace })).toBe(all.length);
    expect(await symmetricDifference(`SELECT * FROM ${t('live_directory')}`, `SELECT * FROM ${t('itest_directory')}`)).toBe(0);
    expect(await symmetricDifference(`SELECT * FROM ${t('live_checkpoints')}`, `SELECT aggregate_id, version, event_id FROM ${t(cp)}`)).toBe(0);
    expect(await symmetricDifference(`SELECT * FROM ${t('live_log')}`, `SELECT event_id, aggregate_id, version, full_name FROM ${t('itest_directory_log')}`)).toBe(0);
    // Both swaps kept the live tables' index and constraint names.
    const tablesOf = ['itest_directory', 'itest_directory_log', cp];
    const indexes = await dataSource.query(`SELECT indexname AS name FROM pg_indexes WHERE schemaname = $1 AND tablename = ANY($2) ORDER BY 1`, [SCHEMA, tablesOf]);
    expect(indexes.map((r: { name: string }) => r.name)).toEqual([`${cp}_pkey`, 'itest_directory_log_aggregate_idx', 'itest_directory_log_pkey', 'itest_directory_pkey'].sort());
    const constraints = await dataSource.query(`SELECT conname AS name FROM pg_constraint WHERE conrelid = ANY($1::regclass[]) AND contype = 'p' ORDER BY 1`, [tablesOf.map(t)]);
    expect(constraints.map((r: { name: string }) => r.name)).toEqual([`${cp}_pkey`, 'itest_directory_log_pkey', 'itest_directory_pkey'].sort());
    // The serial key keeps counting upwards through both swaps.
    expect(Number((await dataSource.query(`SELECT min(seq) AS m FROM ${t('itest_directory_log')}`))[0].m)).toBeGreaterThan(maxSeqBefore);

    // And the live runner still applies into the twice-swapped tables.
    const last = event(fresh[0], 7, 'after-second-swap');
    await publish(last);
    await eventually(async () => (await dataSource.query(`SELECT version FROM ${t('itest_directory')} WHERE aggregate_id = $1`, [fresh[0]]))[0]?.version === 7, {
      what: 'the live runner to apply after the second swap',
    });
    expect(await count('itest_directory_log')).toBe(all.length + 1);
    await runner.stop();
  });

  it('a batch that fails ends the replay with its error, writes no batch after it, and leaves the live tables as they were', async () => {
    const cp = checkpointTable(PROJECTION);
    await dataSource.query(`CREATE TABLE ${t('snap_directory')} AS SELECT * FROM ${t('itest_directory')}`);
    await dataSource.query(`CREATE TABLE ${t('snap_checkpoints')} AS SELECT * FROM ${t(cp)}`);
    await dataSource.query(`CREATE TABLE ${t('snap_log')} AS SELECT * FROM ${t('itest_directory_log')}`);
    const stream = await broker.jsm.streams.info(streamName(namespace, 'profiles'));
    expect(stream.state.messages).toBeGreaterThan(400);

    // Batches of 100: the third fails while the fourth is being read.
    let calls = 0;
    const failing = directoryProjection('failing', async () => {
      if (++calls === 3) throw new Error('the third batch cannot be applied');
    });
    await expect(replayProjection(dataSource, broker, failing, { schema: SCHEMA, namespace, batchSize: 100, inThreadBelow: 0 })).rejects.toThrow('the third batch cannot be applied');
    expect(calls).toBe(3);
    expect(await symmetricDifference(`SELECT * FROM ${t('snap_directory')}`, `SELECT * FROM ${t('itest_directory')}`)).toBe(0);
    expect(await symmetricDifference(`SELECT * FROM ${t('snap_checkpoints')}`, `SELECT * FROM ${t(cp)}`)).toBe(0);
    expect(await symmetricDifference(`SELECT * FROM ${t('snap_log')}`, `SELECT * FROM ${t('itest_directory_log')}`)).toBe(0);

    // The next replay drops the shadows the failed one left and rebuilds the same rows
    // (and a live table that is UNLOGGED stays so).
    await dataSource.query(`ALTER TABLE ${t('itest_directory_log')} SET UNLOGGED`);
    expect(await replayProjection(dataSource, broker, directoryProjection('replay-3'), { schema: SCHEMA, namespace, batchSize: 100 })).toBe(stream.state.last_seq);
    expect(await symmetricDifference(`SELECT * FROM ${t('snap_directory')}`, `SELECT * FROM ${t('itest_directory')}`)).toBe(0);
    expect(await symmetricDifference(`SELECT aggregate_id, version, event_id FROM ${t('snap_checkpoints')}`, `SELECT aggregate_id, version, event_id FROM ${t(cp)}`)).toBe(0);
    expect(await symmetricDifference(
      `SELECT event_id, aggregate_id, version, full_name FROM ${t('snap_log')}`,
      `SELECT event_id, aggregate_id, version, full_name FROM ${t('itest_directory_log')}`,
    )).toBe(0);
    expect(await persistence(['itest_directory', 'itest_directory_log', cp])).toEqual(['p', 'u', 'p']);
  });

  it('lets readers of a live table through while a long transaction keeps the swap from its lock, and swaps once it ends', async () => {
    const stream = await broker.jsm.streams.info(streamName(namespace, 'profiles'));
    // A reader left in its transaction holds the live table: the swap's DROP waits for it.
    const reader = dataSource.createQueryRunner();
    await reader.connect();
    await reader.startTransaction();
    await reader.query(`SELECT count(*) FROM ${t('itest_directory')}`);
    let settled = false;
    const replay = replayProjection(dataSource, broker, directoryProjection('replay-4'), { schema: SCHEMA, namespace, batchSize: 100, lockTimeoutMs: 200 });
    void replay.then(() => (settled = true), () => (settled = true));
    try {
      await eventually(async () => (await dataSource.query(
        `SELECT count(*)::int AS n FROM pg_locks WHERE relation = $1::regclass AND mode = 'AccessExclusiveLock' AND NOT granted`, [t('itest_directory')]))[0].n === 1,
      { what: 'the swap to wait for its lock' });
      // A reader that comes meanwhile does not wait for the long transaction.
      let timer: NodeJS.Timeout | undefined;
      const waitedOut = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the reader waited for the long transaction')), 10_000)));
      try {
        await Promise.race([dataSource.query(`SELECT count(*) FROM ${t('itest_directory')}`), waitedOut]);
      } finally {
        clearTimeout(timer);
      }
      expect(settled).toBe(false);
    } finally {
      await reader.commitTransaction();
      await reader.release();
    }
    expect(await replay).toBe(stream.state.last_seq);
  });
});

describe('replayProjection with a fold (PostgreSQL + JetStream)', () => {
  const FOLDED = 'itest-folded';
  let db: TestDatabase;
  let dataSource: DataSource;
  let broker: Broker;
  const namespace = testNamespace();
  const t = (table: string) => qualify(SCHEMA, table);
  const cp = t(checkpointTable(FOLDED));

  /** One row per aggregate (its last name and version, and how many events were applied to it), by `apply`, and by a fold when `folds` is given. */
  function foldedProjection(folds?: { added: number; flushed?: number }): Projection {
    const projection: Projection = {
      name: FOLDED,
      source: 'profiles',
      tables: ['itest_folded'],
      async apply(tx: EntityManager, events: DomainEvent[], tables: TableMap) {
        for (const e of events) {
          await tx.query(
            `INSERT INTO ${tables('itest_folded')} AS d (aggregate_id, full_name, version, applied) VALUES ($1, $2, $3, 1)
             ON CONFLICT (aggregate_id) DO UPDATE SET full_name = EXCLUDED.full_name, version = EXCLUDED.version, applied = d.applied + 1`,
            [e.aggregateId, (e as UserProfileUpdated).data.changes.fullName ?? null, e.aggregateVersion],
          );
        }
      },
    };
    if (!folds) return projection;
    projection.replayFold = () => {
      const rows = new Map<string, { name: string | null; version: number; applied: number }>();
      let changed = new Set<string>();
      return {
        add(e) {
          folds.added++;
          rows.set(e.aggregateId, { name: (e as UserProfileUpdated).data.changes.fullName ?? null, version: e.aggregateVersion, applied: (rows.get(e.aggregateId)?.applied ?? 0) + 1 });
          changed.add(e.aggregateId);
        },
        flush(tables) {
          folds.flushed = (folds.flushed ?? 0) + 1;
          const ids = [...changed];
          changed = new Set();
          return [{
            text: `INSERT INTO ${tables('itest_folded')} AS d (aggregate_id, full_name, version, applied)
              SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[])
              ON CONFLICT (aggregate_id) DO UPDATE SET full_name = EXCLUDED.full_name, version = EXCLUDED.version, applied = EXCLUDED.applied`,
            values: [ids, ids.map((id) => rows.get(id)!.name), ids.map((id) => rows.get(id)!.version), ids.map((id) => rows.get(id)!.applied)],
          }];
        },
      };
    };
    return projection;
  }

  beforeAll(async () => {
    db = await createTestDatabase('ripple_replay_fold');
    dataSource = new DataSource({ type: 'postgres', url: db.url, synchronize: false, logging: false, extra: { max: 10 } });
    await dataSource.initialize();
    broker = await connectBroker(await testNatsUrl(), 'replay-fold-itest');
    await ensureStream(broker, namespace, 'profiles');
    await dataSource.query(`CREATE SCHEMA ${SCHEMA}`);
    const qr = dataSource.createQueryRunner();
    try {
      await createCheckpointTable(qr, SCHEMA, FOLDED);
    } finally {
      await qr.release();
    }
    await dataSource.query(`CREATE TABLE ${t('itest_folded')} (aggregate_id text PRIMARY KEY, full_name text, version integer NOT NULL, applied integer NOT NULL)`);
  });

  afterAll(async () => {
    if (broker) {
      await deleteNamespaceStreams(broker.jsm, namespace).catch(() => undefined);
      await broker.nc.drain().catch(() => undefined);
    }
    if (dataSource?.isInitialized) await dataSource.destroy();
    await db?.drop();
  });

  it('rebuilds the rows and checkpoints apply would, skipping what apply skips, without calling apply up to its limit', async () => {
    const event = (aggregateId: string, aggregateVersion: number, fullName: string, type = 'UserProfileUpdated') => {
      const id = uuidv7();
      return {
        id, type, schemaVersion: 1, aggregateType: 'user', aggregateId, aggregateVersion,
        occurredAt: new Date().toISOString(), correlationId: id, causationId: id, actor: 'itest', data: { changes: { fullName } },
      } as UserProfileUpdated;
    };
    const publish = async (e: DomainEvent, msgID = e.id) =>
      broker.js.publish(eventSubject(namespace, 'profiles', e.aggregateType, e.aggregateId, e.type), JSON.stringify(e), { msgID });
    const aggregates = Array.from({ length: 30 }, () => uuidv7());
    for (let v = 1; v <= 5; v++) for (const id of aggregates) await publish(event(id, v, `${id.slice(-6)}-v${v}`));
    // A version published twice (a republish): applied once.
    const [twice, gapped, unknown] = aggregates;
    const again = event(twice, 6, 'twice');
    await publish(again);
    await publish(again, `${again.id}-again`);
    // A missing version: what follows it is not applied, and its checkpoint stays where it was.
    await publish(event(gapped, 8, 'after-a-gap'));
    // A type this build does not know: it moves the checkpoint but is not applied, and the next version is.
    await publish(event(unknown, 6, 'unknown', 'ItestTypeFromTheFuture'));
    await publish(event(unknown, 7, 'after-unknown'));
    const total = (await broker.jsm.streams.info(streamName(namespace, 'profiles'))).state.last_seq;
    expect(total).toBe(30 * 5 + 5);

    // Without a fold: batches held and applied by `apply`.
    expect(await replayProjection(dataSource, broker, foldedProjection(), { schema: SCHEMA, namespace, batchSize: 40 })).toBe(total);
    const rows = async () => sortById(await dataSource.query(`SELECT aggregate_id, full_name, version, applied FROM ${t('itest_folded')}`));
    const checkpoints = async () => sortById(await dataSource.query(`SELECT aggregate_id, version, event_id FROM ${cp}`));
    const applied = { rows: await rows(), checkpoints: await checkpoints() };
    const row = (id: string) => applied.rows.find((r: { aggregate_id: string }) => r.aggregate_id === id);
    expect(applied.rows).toHaveLength(30);
    expect(row(twice)).toMatchObject({ full_name: 'twice', version: 6, applied: 6 });
    expect(row(gapped)).toMatchObject({ version: 5, applied: 5 });
    expect(row(unknown)).toMatchObject({ full_name: 'after-unknown', version: 7, applied: 6 });
    expect(applied.checkpoints.find((c: { aggregate_id: string }) => c.aggregate_id === unknown)).toMatchObject({ version: 7 });

    // With a fold: the same rows and checkpoints, and `apply` never ran. It writes once, at the end, and
    // reports every 40 events folded.
    const folds = { added: 0, flushed: 0 };
    const progress: ReplayProgress[] = [];
    const folding = foldedProjection(folds);
    const apply = jest.spyOn(folding, 'apply');
    expect(await replayProjection(dataSource, broker, folding, { schema: SCHEMA, namespace, batchSize: 40, inThreadBelow: 0, onProgress: (p) => progress.push(p) })).toBe(total);
    expect(apply).not.toHaveBeenCalled();
    expect(folds.added).toBe(30 * 5 + 1 + 1);
    expect(folds.flushed).toBe(1);
    expect(progress.filter((p) => p.phase === 'rebuilding').map((p) => p.applied)).toEqual([40, 80, 120, 155]);
    expect(await rows()).toEqual(applied.rows);
    expect(await checkpoints()).toEqual(applied.checkpoints);

    // A fold that may hold 10 aggregates: the first 10 events (10 aggregates) are folded and written,
    // the other 145 applied by `apply` in batches of 40, which read the rows the fold wrote; the same rows again.
    const limited = { added: 0, flushed: 0 };
    const overflowing = foldedProjection(limited);
    const applyAfter = jest.spyOn(overflowing, 'apply');
    expect(await replayProjection(dataSource, broker, overflowing, { schema: SCHEMA, namespace, batchSize: 40, foldLimit: 10 })).toBe(total);
    expect(limited.added).toBe(10);
    expect(limited.flushed).toBe(1);
    expect(applyAfter).toHaveBeenCalledTimes(4);
    expect(await rows()).toEqual(applied.rows);
    expect(await checkpoints()).toEqual(applied.checkpoints);
  });

  it('a fold\'s statements run side by side; one that fails ends the replay with its error once the others have ended, and the live tables stay as they were', async () => {
    const id = uuidv7();
    const e = { id, type: 'UserProfileUpdated', schemaVersion: 1, aggregateType: 'user', aggregateId: uuidv7(), aggregateVersion: 1,
      occurredAt: new Date().toISOString(), correlationId: id, causationId: id, actor: 'itest', data: { changes: { fullName: 'side' } } };
    await broker.js.publish(eventSubject(namespace, 'profiles', e.aggregateType, e.aggregateId, e.type), JSON.stringify(e), { msgID: e.id });
    const live = async () => (await dataSource.query(`SELECT * FROM ${t('itest_folded')} ORDER BY aggregate_id`)) as unknown[];
    const before = await live();
    await dataSource.query(`CREATE TABLE ${t('itest_side')} (at timestamptz)`);
    const projection = foldedProjection();
    projection.replayFold = () => ({
      add() {},
      flush: () => [
        // In a transaction of its own, so it commits though the other fails; and it ends after the other has failed.
        { text: `INSERT INTO ${t('itest_side')} SELECT clock_timestamp() FROM pg_sleep(0.3)` },
        { text: `SELECT CASE WHEN pg_sleep(0.05) IS NULL THEN 1 / 0 END` },
      ],
    });
    await expect(replayProjection(dataSource, broker, projection, { schema: SCHEMA, namespace })).rejects.toThrow('division by zero');
    // The replay waited for the slow statement, which committed.
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM ${t('itest_side')}`)).toEqual([{ n: 1 }]);
    expect(await live()).toEqual(before);
  });
});

function sortById<T extends { aggregate_id: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => a.aggregate_id.localeCompare(b.aggregate_id));
}
