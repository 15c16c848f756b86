import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7, type DomainEvent } from '@ripple/contracts';
import { notifyAfterCommit, wakeLocally } from '@ripple/event-store';
import { createTestDatabase, eventually, type TestDatabase } from '@ripple/testing';
import { applyBatchAlone, projectionLockKey } from './apply-batch';
import type { Projection } from './projection';
import { createCheckpointTable, createDeadLetterTable } from './schema';

let db: TestDatabase;
let ds: DataSource;
/** Round trips to PostgreSQL (queries sent by any pooled client, wake-ups aside) since the last reset. */
let roundTrips = 0;

const SCHEMA = 'proj';
let failNext: string | undefined;
const projection: Projection = {
  name: 'notes',
  source: 'profiles',
  tables: ['notes'],
  locks: ['notes-writers'],
  async apply(tx: EntityManager, events: DomainEvent[]) {
    if (failNext) {
      const reason = failNext;
      failNext = undefined;
      throw new Error(reason);
    }
    await tx.query(`INSERT INTO ${SCHEMA}.notes (aggregate_id, version, bio) SELECT * FROM unnest($1::text[], $2::int[], $3::text[])`, [
      events.map((e) => e.aggregateId), events.map((e) => e.aggregateVersion), events.map((e) => (e.data as { changes: { bio: string } }).changes.bio),
    ]);
    notifyAfterCommit(tx, 'notes_written', '');
  },
};

beforeAll(async () => {
  db = await createTestDatabase();
  ds = new DataSource({ type: 'postgres', url: db.url, extra: { max: 4 } });
  await ds.initialize();
  const qr = ds.createQueryRunner();
  await qr.query(`CREATE SCHEMA ${SCHEMA}`);
  await qr.query(`CREATE TABLE ${SCHEMA}.notes (aggregate_id text, version int, bio text)`);
  await createCheckpointTable(qr, SCHEMA, projection.name);
  await createDeadLetterTable(qr, SCHEMA);
  await qr.release();
  const pool = (ds.driver as unknown as { master: { on(e: string, f: (c: { query: (...a: unknown[]) => unknown }) => void): void } }).master;
  const counted = new WeakSet<object>();
  pool.on('acquire', (client) => {
    if (counted.has(client)) return;
    counted.add(client);
    const query = client.query.bind(client);
    client.query = (...args: unknown[]) => {
      // The wake-up NOTIFY after a commit goes out on its own, outside the batch's transaction.
      if (!String(args[0]).includes('NOTIFY')) roundTrips++;
      return query(...args);
    };
  });
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const versions = new Map<string, number>();
function updated(aggregateId: string, bio: string): DomainEvent {
  const aggregateVersion = (versions.get(aggregateId) ?? 0) + 1;
  versions.set(aggregateId, aggregateVersion);
  const id = uuidv7();
  return { id, type: 'UserProfileUpdated', schemaVersion: 1, aggregateType: 'user', aggregateId, aggregateVersion, occurredAt: new Date().toISOString(), correlationId: id, causationId: id, actor: 't', data: { changes: { bio } } } as unknown as DomainEvent;
}
const apply = (events: DomainEvent[]) => applyBatchAlone(ds, SCHEMA, projection, events, { respectDeadLetters: true, mode: 'live' });
const notes = async (id: string) => (await ds.query(`SELECT version, bio FROM ${SCHEMA}.notes WHERE aggregate_id = $1 ORDER BY version`, [id])) as { version: number; bio: string }[];
const waitingForALock = () =>
  eventually(async () => (await ds.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`))[0].n === 1, { what: 'the batch to wait for a lock' });
const checkpoint = async (id: string) => (await ds.query(`SELECT version FROM ${SCHEMA}.notes__checkpoints WHERE aggregate_id = $1`, [id]))[0]?.version as number | undefined;

describe('applyBatchAlone', () => {
  it('applies a batch in three round trips (BEGIN with the locks and the checkpoint read, the projection, COMMIT with the checkpoints), once', async () => {
    const a = uuidv7();
    const b = `it's "quoted" \\ ${uuidv7()}`; // ids reach the statements as literals
    const batch = [updated(a, 'one'), updated(b, 'two'), updated(a, 'three')];
    roundTrips = 0;
    expect(await apply(batch)).toEqual(['apply', 'apply', 'apply']);
    expect(roundTrips).toBe(3);
    expect(await notes(a)).toEqual([{ version: 1, bio: 'one' }, { version: 2, bio: 'three' }]);
    expect(await notes(b)).toEqual([{ version: 1, bio: 'two' }]);
    expect(await checkpoint(a)).toBe(2);
    expect(await checkpoint(b)).toBe(1);
    // Redelivered: nothing written twice, and no checkpoint statement either.
    roundTrips = 0;
    expect(await apply(batch)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(roundTrips).toBe(2);
    expect(await notes(a)).toHaveLength(2);
  });

  it('writes nothing and moves no checkpoint when the projection fails; wake-ups go out only after a commit', async () => {
    const a = uuidv7();
    const woken: string[] = [];
    const unwake = wakeLocally('notes_written', () => (woken.push('woken'), true));
    try {
      failNext = 'projection failed';
      await expect(apply([updated(a, 'lost')])).rejects.toThrow('projection failed');
      expect(await notes(a)).toEqual([]);
      expect(await checkpoint(a)).toBeUndefined();
      expect(woken).toEqual([]);
      versions.set(a, 0);
      await apply([updated(a, 'kept')]);
      expect(await notes(a)).toEqual([{ version: 1, bio: 'kept' }]);
      expect(woken).toEqual(['woken']);
    } finally {
      unwake();
    }
  });

  it('rolls the projection back when the checkpoint upsert sent with COMMIT fails', async () => {
    const a = uuidv7();
    await ds.query(`ALTER TABLE ${SCHEMA}.notes__checkpoints ADD CONSTRAINT no_first CHECK (version <> 1) NOT VALID`);
    try {
      await expect(apply([updated(a, 'first')])).rejects.toThrow(/no_first/);
      expect(await notes(a)).toEqual([]);
    } finally {
      await ds.query(`ALTER TABLE ${SCHEMA}.notes__checkpoints DROP CONSTRAINT no_first`);
    }
  });

  it('reads the checkpoints after its locks are granted: a batch that waited for an aggregate sees what the holder committed', async () => {
    const a = uuidv7();
    const first = updated(a, 'first');
    const second = updated(a, 'second');
    // Another applier of the same aggregate holds its lock and has applied version 1, not yet committed.
    const holder = ds.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query('SELECT pg_advisory_xact_lock(hashtext($1 || $2))', [`${projection.name}:`, a]);
    await holder.query(`INSERT INTO ${SCHEMA}.notes (aggregate_id, version, bio) VALUES ($1, 1, 'first')`, [a]);
    await holder.query(`INSERT INTO ${SCHEMA}.notes__checkpoints (aggregate_id, version, event_id) VALUES ($1, 1, $2)`, [a, first.id]);
    const waiting = apply([second]);
    // Once the batch waits for the aggregate's lock, commit the holder.
    await waitingForALock();
    await holder.commitTransaction();
    await holder.release();
    // Read in the locking statement's snapshot, version 1 would be missing and version 2 a gap.
    expect(await waiting).toEqual(['apply']);
    expect(await notes(a)).toEqual([{ version: 1, bio: 'first' }, { version: 2, bio: 'second' }]);
  });

  it('holds the projection lock shared, so a replay can swap tables only between batches', async () => {
    const swapper = ds.createQueryRunner();
    await swapper.connect();
    await swapper.startTransaction();
    await swapper.query('SELECT pg_advisory_xact_lock(hashtext($1))', [projectionLockKey(SCHEMA, projection.name)]);
    const a = uuidv7();
    let done = false;
    const waiting = apply([updated(a, 'after the swap')]).then((o) => ((done = true), o));
    await waitingForALock();
    expect(done).toBe(false);
    await swapper.commitTransaction();
    await swapper.release();
    expect(await waiting).toEqual(['apply']);
  });

  it('runs what a projection reads first in the first round trip, after the locks, and hands its rows to apply', async () => {
    const seen: unknown[][] = [];
    const reading: Projection = {
      ...projection,
      name: 'notes-reading',
      reads: (events) => [{ text: `SELECT count(*)::int AS n FROM ${SCHEMA}.notes WHERE aggregate_id = ANY($1::text[])`, values: [events.map((e) => e.aggregateId)] }],
      async apply(tx, events, tables, mode, read) {
        seen.push(read);
        await projection.apply(tx, events, tables, mode, read);
      },
    };
    const qr = ds.createQueryRunner();
    await createCheckpointTable(qr, SCHEMA, reading.name);
    await qr.release();
    const a = uuidv7();
    const applyReading = (events: DomainEvent[]) => applyBatchAlone(ds, SCHEMA, reading, events, { respectDeadLetters: true, mode: 'live' });
    await applyReading([updated(a, 'one')]);
    roundTrips = 0;
    await applyReading([updated(a, 'two')]);
    expect(roundTrips).toBe(3);
    expect(seen).toEqual([[[{ n: 0 }]], [[{ n: 1 }]]]);
  });

  it('sends the writes a projection defers with the COMMIT: two round trips, each write handed its rows, all or nothing', async () => {
    const returned: unknown[] = [];
    let failWrite = false;
    const deferring: Projection = {
      ...projection,
      name: 'notes-deferring',
      async apply(_tx, events) {
        return [
          {
            text: `INSERT INTO ${SCHEMA}.notes (aggregate_id, version, bio) SELECT * FROM unnest($1::text[], $2::int[], $3::text[]) RETURNING version, bio`,
            values: [events.map((e) => e.aggregateId), events.map((e) => e.aggregateVersion), events.map((e) => (e.data as { changes: { bio: string } }).changes.bio)],
            returned: (rows) => returned.push(rows),
          },
          { text: failWrite ? 'SELECT 1 / 0' : 'SELECT 1 AS one' },
        ];
      },
    };
    const qr = ds.createQueryRunner();
    await createCheckpointTable(qr, SCHEMA, deferring.name);
    await qr.release();
    const applyDeferring = (events: DomainEvent[]) => applyBatchAlone(ds, SCHEMA, deferring, events, { respectDeadLetters: true, mode: 'live' });
    const a = uuidv7();
    roundTrips = 0;
    expect(await applyDeferring([updated(a, 'one'), updated(a, 'two')])).toEqual(['apply', 'apply']);
    expect(roundTrips).toBe(2);
    expect(returned).toEqual([[{ version: 1, bio: 'one' }, { version: 2, bio: 'two' }]]);
    expect(await notes(a)).toEqual([{ version: 1, bio: 'one' }, { version: 2, bio: 'two' }]);
    expect((await ds.query(`SELECT version FROM ${SCHEMA}.notes_deferring__checkpoints WHERE aggregate_id = $1`, [a]))[0].version).toBe(2);

    // Large writes (the rows here, the checkpoints of 300 aggregates) go with the COMMIT as well: their values are bound, not written in.
    const many = Array.from({ length: 300 }, (_, i) => updated(uuidv7(), `a bio long enough to make the batch large, number ${i}`));
    const ids = many.map((e) => e.aggregateId);
    returned.length = 0;
    roundTrips = 0;
    expect(await applyDeferring(many)).toEqual(many.map(() => 'apply'));
    expect(roundTrips).toBe(2);
    expect((await ds.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.notes WHERE aggregate_id = ANY($1)`, [ids]))[0].n).toBe(300);
    expect((returned[0] as unknown[]).length).toBe(300);
    expect((await ds.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.notes_deferring__checkpoints WHERE aggregate_id = ANY($1) AND version = 1`, [ids]))[0].n).toBe(300);

    // A deferred write that fails takes the batch with it: no rows, no checkpoint.
    failWrite = true;
    await expect(applyDeferring([updated(a, 'three')])).rejects.toThrow(/division by zero/);
    expect(await notes(a)).toHaveLength(2);
    expect((await ds.query(`SELECT version FROM ${SCHEMA}.notes_deferring__checkpoints WHERE aggregate_id = $1`, [a]))[0].version).toBe(2);
  });

  it('sends a batch a projection can decide unread in one round trip, checked after its locks; anything else is applied as usual', async () => {
    const calls: string[] = [];
    const returned: unknown[] = [];
    const writes = (events: DomainEvent[]) => [{
      text: `INSERT INTO ${SCHEMA}.notes (aggregate_id, version, bio) SELECT * FROM unnest($1::text[], $2::int[], $3::text[]) RETURNING version`,
      values: [events.map((e) => e.aggregateId), events.map((e) => e.aggregateVersion), events.map((e) => (e.data as { changes: { bio: string } }).changes.bio)],
      returned: (rows: unknown[]) => returned.push(rows),
    }];
    const speculating: Projection = {
      ...projection,
      name: 'notes-speculating',
      async apply(_tx, events) {
        calls.push('apply');
        return writes(events);
      },
      speculate(_tx, events) {
        calls.push('speculate');
        // What it remembers holds while nothing is vetoed.
        return { holds: { text: `NOT EXISTS (SELECT 1 FROM ${SCHEMA}.vetoes WHERE aggregate_id = ANY($1::text[]))`, values: [events.map((e) => e.aggregateId)] }, writes: writes(events) };
      },
    };
    const qr = ds.createQueryRunner();
    await createCheckpointTable(qr, SCHEMA, speculating.name);
    await qr.query(`CREATE TABLE ${SCHEMA}.vetoes (aggregate_id text)`);
    await qr.release();
    const paths: string[] = [];
    const applySpeculating = (events: DomainEvent[]) => applyBatchAlone(ds, SCHEMA, speculating, events, { respectDeadLetters: true, mode: 'live', took: (p) => paths.push(p) });
    const cp = async (id: string) => (await ds.query(`SELECT version FROM ${SCHEMA}.notes_speculating__checkpoints WHERE aggregate_id = $1`, [id]))[0]?.version;
    const [a, b] = [uuidv7(), uuidv7()];

    // Next in line: one round trip, each write handed its rows.
    const first = [updated(a, 'one'), updated(b, 'two'), updated(a, 'three')];
    roundTrips = 0;
    expect(await applySpeculating(first)).toEqual(['apply', 'apply', 'apply']);
    expect(roundTrips).toBe(1);
    expect(calls.splice(0)).toEqual(['speculate']);
    expect(paths.splice(0)).toEqual(['one_trip']);
    expect(returned.splice(0)).toEqual([[{ version: 1 }, { version: 1 }, { version: 2 }]]);
    expect(await notes(a)).toEqual([{ version: 1, bio: 'one' }, { version: 2, bio: 'three' }]);
    expect([await cp(a), await cp(b)]).toEqual([2, 1]);

    // Redelivered: the check fails, the transaction is rolled back, and the batch is found to be duplicates.
    expect(await applySpeculating(first)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(calls.splice(0)).toEqual(['speculate']);
    expect(paths.splice(0)).toEqual(['check_failed', 'usual']);
    expect(await notes(a)).toHaveLength(2);

    // A gap (version 3 of a is missing): held back, nothing written.
    const third = updated(a, 'three again');
    const fourth = updated(a, 'four');
    expect(await applySpeculating([fourth])).toEqual(['gap']);
    expect(calls.splice(0)).toEqual(['speculate']);
    expect(paths.splice(0)).toEqual(['check_failed', 'usual']);
    expect(await cp(a)).toBe(2);

    // Versions out of line within the batch: not even tried.
    expect(await applySpeculating([fourth, third])).toEqual(['gap', 'apply']);
    expect(calls.splice(0)).toEqual(['apply']);
    expect(paths.splice(0)).toEqual(['usual']);
    expect(await cp(a)).toBe(3);

    // What the projection remembered no longer holds: applied as usual, from apply.
    await ds.query(`INSERT INTO ${SCHEMA}.vetoes VALUES ($1)`, [a]);
    expect(await applySpeculating([fourth])).toEqual(['apply']);
    expect(calls.splice(0)).toEqual(['speculate', 'apply']);
    expect(await notes(a)).toEqual([{ version: 1, bio: 'one' }, { version: 2, bio: 'three' }, { version: 3, bio: 'three again' }, { version: 4, bio: 'four' }]);

    // Told not to (a full batch, in a backlog): applied as usual.
    await ds.query(`DELETE FROM ${SCHEMA}.vetoes`);
    expect(await applyBatchAlone(ds, SCHEMA, speculating, [updated(a, 'five')], { respectDeadLetters: true, mode: 'live', oneTrip: false })).toEqual(['apply']);
    expect(calls.splice(0)).toEqual(['apply']);

    // Behind an open dead letter of its aggregate: parked, as usual.
    await ds.query(`INSERT INTO ${SCHEMA}.dead_letters (id, projection, event_id, aggregate_id, error, attempts) VALUES ($1, $2, $3, $4, 'poison', 1)`, [uuidv7(), speculating.name, uuidv7(), b]);
    expect(await applySpeculating([updated(b, 'parked')])).toEqual(['blocked']);
    expect(await cp(b)).toBe(1);
  });
});
