import { DataSource, type QueryRunner } from 'typeorm';
import type { INestMicroservice } from '@nestjs/common';
import { uuidv7, type ProfilesEvent } from '@ripple/contracts';
import { EventStore, rowToEnvelope } from '@ripple/event-store';
import type { Broker } from '@ripple/messaging';
import { rebuildFromEventStore, type ReplayProgress } from '@ripple/projections';
import { BROKER, createServiceContext, ReplayJobs } from '@ripple/service-host';
import { createTestDatabase, deleteNamespaceStreams, eventually, testNamespace, testNatsUrl, type TestDatabase } from '@ripple/testing';
import { MakeUsersRebuildable1732240000061 } from '../migrations/1732240000061-make-users-rebuildable';
import { ProfilesModule } from '../profiles.module';
import { changePassword, changeRole, evolve, logOut, registerUser, updateProfile, type UserState } from './user';
import { UserRepository } from './user.repository';
import { userFromRow, userRowWrite, usersReadModel } from './users.read-model';

/**
 * `profiles.users` is the fold of the user events: the command path writes each
 * row with its events, and the replay command rebuilds the table from
 * `profiles.events` (blue/green), equal to the live one, while commands go on.
 */
let db: TestDatabase;
let app: INestMicroservice;
let rt: { dataSource: DataSource; eventStore: EventStore; broker: Broker };
// Two repositories stand for two instances of the service, each with its own pool.
let a: UserRepository;
let b: UserRepository;
let other: DataSource;
/** Connections of their own for transactions the tests hold open. */
let side: DataSource;
const ctx = { correlationId: 'spec', causationId: 'spec', actor: 'spec' };
const namespace = testNamespace();

beforeAll(async () => {
  db = await createTestDatabase('ripple_users_rebuild');
  Object.assign(process.env, { DATABASE_URL: db.url, NATS_URL: await testNatsUrl(), RIPPLE_NAMESPACE: namespace, JWT_SECRET: 'spec-secret-at-least-16-chars', LOG_LEVEL: 'error' });
  app = await createServiceContext(ProfilesModule);
  rt = { dataSource: app.get(DataSource), eventStore: app.get(EventStore), broker: app.get<Broker>(BROKER) };
  a = new UserRepository(rt.dataSource, rt.eventStore);
  other = new DataSource({ type: 'postgres', url: db.url, extra: { max: 4 } });
  await other.initialize();
  b = new UserRepository(other, rt.eventStore);
  side = new DataSource({ type: 'postgres', url: db.url, extra: { max: 4 } });
  await side.initialize();
}, 60_000);

afterAll(async () => {
  if (side?.isInitialized) await side.destroy();
  if (other?.isInitialized) await other.destroy();
  if (app) {
    await deleteNamespaceStreams(rt.broker.jsm, namespace).catch(() => undefined);
    await app.close();
  }
  await db?.drop();
});

/** Every column of every row, in id order. */
const usersTable = (): Promise<Record<string, unknown>[]> => rt.dataSource.query('SELECT * FROM profiles.users ORDER BY id');

/** Every user's state folded from its events by `evolve`, as `users` rows, in id order. */
async function foldedFromEvents(): Promise<Record<string, unknown>[]> {
  const rows = await rt.dataSource.query(`SELECT * FROM profiles.events WHERE aggregate_type = 'user' ORDER BY stream_id, version`);
  const states = new Map<string, UserState>();
  for (const r of rows) {
    const e = rowToEnvelope(r) as unknown as ProfilesEvent;
    const before = states.get(e.aggregateId);
    expect(e.aggregateVersion).toBe((before?.version ?? 0) + 1);
    states.set(e.aggregateId, evolve(before, e));
  }
  return [...states.values()].sort((x, y) => (x.id < y.id ? -1 : 1)).map(asRow);
}

/** A state as the row `users` holds for it, read back the way PostgreSQL returns it. */
const asRow = (u: UserState): Record<string, unknown> => ({
  id: u.id, username: u.username, email: u.email, role: u.role, profile_info: u.profileInfo, version: u.version,
  created_at: new Date(u.createdAt), updated_at: new Date(u.updatedAt), token_version: u.tokenVersion,
});

async function register(repo: UserRepository, role: UserState['role'] = 'user', profileInfo: Record<string, string> = {}): Promise<string> {
  const id = uuidv7();
  await repo.create(id, registerUser({ userId: id, username: `u${id.slice(-12)}`, email: `${id}@x.test`, role, profileInfo }), 'hash-0', ctx);
  return id;
}

/**
 * A command held open: the user's next event and row, written by the command path's own
 * statement (`appendAtomically` with `userRowWrite`), in a transaction committed later.
 */
async function heldCommand(id: string, changes: Record<string, string>): Promise<{ commit: () => Promise<void>; runner: QueryRunner }> {
  const runner = side.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  const [row] = await runner.query('SELECT * FROM profiles.users WHERE id = $1', [id]);
  const state = userFromRow(row);
  await rt.eventStore.appendAtomically(runner.manager, { aggregateType: 'user', aggregateId: id, expectedVersion: state.version, events: updateProfile(state, { changes }), context: ctx },
    (envelopes) => [userRowWrite(envelopes.reduce((s, e) => evolve(s, e as ProfilesEvent), state), false)]);
  return { runner, commit: async () => { await runner.commitTransaction(); await runner.release(); } };
}

/**
 * Backends waiting for a lock on the live `users` table, by mode. Asked on a side
 * connection: the commands queued behind the rebuild's lock may hold every connection
 * of the app's pool until it is granted.
 */
const waitingOnUsers = async (mode: string): Promise<number> =>
  (await side.query(`SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'profiles.users'::regclass AND mode = $1 AND NOT granted`, [mode]))[0].n;

describe('the users table, rebuilt from the event store', () => {
  it('equals the live table column by column, through the replay command, after every kind of command', async () => {
    const venue = await register(a, 'venue', { fullName: 'Vera', venueName: 'Arena' });
    const gallera = await register(b, 'gallera', { galleraName: 'Roost', phone: '+1 555 0100' });
    const owner = await register(a, 'pet_owner');
    const plain = await register(b, 'user', { bio: 'hello' });
    await Promise.all([
      ...['bio', 'phone', 'address', 'venueLocation'].flatMap((f, i) => [a, b].map((repo, r) =>
        repo.update(venue, (s) => updateProfile(s, { changes: { [f]: `${f}-${r}-${i}` } }), ctx))),
      a.update(gallera, (s) => updateProfile(s, { changes: { phone: null, galleraLocation: 'Lima', businessName: '  Roost Co ' } }), ctx, { key: 'key-0001', requestHash: 'h' }),
      b.update(owner, (s) => changeRole(s, 'veterinarian'), ctx),
      a.update(plain, (s) => changePassword(s), ctx, undefined, 'hash-1'),
    ]);
    await a.update(gallera, (s) => updateProfile(s, { changes: { phone: '+1 555 0101' } }), ctx, { key: 'key-0001', requestHash: 'h' });
    await b.update(owner, (s) => updateProfile(s, { changes: { fullName: 'Dr Owner', bio: '' } }), ctx);
    await a.update(owner, (s) => changeRole(s, 'admin'), ctx);
    await a.update(venue, (s) => logOut(s), ctx);
    await b.update(plain, (s) => logOut(s), ctx);
    await b.update(plain, (s) => changePassword(s), ctx, undefined, 'hash-2');
    await a.update(plain, (s) => updateProfile(s, { changes: { bio: null, fullName: 'Plain' } }), ctx);

    const live = await usersTable();
    // The admin the service seeds at boot is not here: the seeder runs with the app, not the runtime.
    expect(live).toHaveLength(4);
    expect(live.find((u) => u.id === plain)).toMatchObject({ version: 5, token_version: 3, profile_info: { fullName: 'Plain' } });
    expect(live.find((u) => u.id === owner)).toMatchObject({ role: 'admin', token_version: 2 });
    // The command path wrote every row as the fold of its events, timestamps included.
    expect(live).toEqual(await foldedFromEvents());
    const indexes = async () => (await rt.dataSource.query(`SELECT indexname FROM pg_indexes WHERE schemaname = 'profiles' AND tablename = 'users' ORDER BY 1`)).map((r: { indexname: string }) => r.indexname);
    const indexesBefore = await indexes();
    const oidBefore = (await rt.dataSource.query(`SELECT 'profiles.users'::regclass::oid AS oid`))[0].oid;

    const progress: ReplayProgress[] = [];
    const [{ events }] = await rt.dataSource.query('SELECT count(*)::int AS events FROM profiles.events');
    // As `POST /api/ops/profiles/projections/users/replay` (npx ripple replay users) runs it.
    expect(await app.get(ReplayJobs).claim('users')((p) => progress.push(p))).toBe(events);

    // A new table, equal to the old one in every column of every row, with the old one's index and constraint names, logged.
    expect((await rt.dataSource.query(`SELECT 'profiles.users'::regclass::oid AS oid`))[0].oid).not.toBe(oidBefore);
    expect(await usersTable()).toEqual(live);
    expect(await indexes()).toEqual(indexesBefore);
    expect(indexesBefore).toEqual(['users_email_key', 'users_pkey', 'users_username_key', 'users_username_lower_idx']);
    expect((await rt.dataSource.query(`SELECT relpersistence AS p FROM pg_class WHERE oid = 'profiles.users'::regclass`))[0].p).toBe('p');
    expect(await rt.dataSource.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'profiles' AND tablename LIKE '%\\_\\_rebuild'`)).toEqual([]);
    expect(progress[0]).toMatchObject({ projection: 'users', phase: 'rebuilding', applied: 0, total: events });
    expect(progress.filter((p) => p.phase === 'rebuilding').at(-1)).toMatchObject({ applied: events, total: events });
    expect(progress.some((p) => p.phase === 'catching-up')).toBe(true);
    expect(progress.at(-1)).toEqual({ projection: 'users', phase: 'swapped', applied: events, total: events });

    // The service goes on with the new table: a taken username is the same constraint, logins and commands work.
    await expect(a.create(uuidv7(), registerUser({ userId: 'x', username: (live[0] as { username: string }).username, email: 'other@x.test', role: 'user', profileInfo: {} }), 'h', ctx))
      .rejects.toMatchObject({ code: '23505', constraint: 'users_username_key' });
    await a.update(plain, (s) => updateProfile(s, { changes: { bio: 'after' } }), ctx);
    expect(await usersTable()).toEqual(await foldedFromEvents());
    expect(await a.passwordHashOf(plain)).toBe('hash-2');
  });

  it('gives rows written before it took their times from the database clock their events\' times (the migration)', async () => {
    const id = await register(a);
    await a.update(id, (s) => updateProfile(s, { changes: { bio: 'x' } }), ctx);
    const folded = (await foldedFromEvents()).find((u) => u.id === id);
    // As the earlier command path left them: created_at (and updated_at on registering) from now().
    await rt.dataSource.query(`UPDATE profiles.users SET created_at = now() - interval '1 day' + interval '1 microsecond', updated_at = now() WHERE id = $1`, [id]);
    const qr = rt.dataSource.createQueryRunner();
    try {
      await new MakeUsersRebuildable1732240000061().up(qr);
    } finally {
      await qr.release();
    }
    expect((await usersTable()).find((u) => u.id === id)).toEqual(folded);
  });

  it('runs one rebuild of the table at a time', async () => {
    const first = rebuildFromEventStore(rt.dataSource, usersReadModel, { schema: 'profiles' });
    const second = rebuildFromEventStore(side, usersReadModel, { schema: 'profiles' });
    const [one, two] = await Promise.allSettled([first, second]);
    expect([one.status, two.status].sort()).toEqual(['fulfilled', 'rejected']);
    expect(((one.status === 'rejected' ? one : two) as PromiseRejectedResult).reason.message).toMatch(/a rebuild of profiles.users is already running/);
    expect(await usersTable()).toEqual(await foldedFromEvents());
  });

  it('refuses a table with a column its events do not give, leaving it as it was', async () => {
    await rt.dataSource.query('ALTER TABLE profiles.users ADD COLUMN nickname text');
    try {
      await expect(rebuildFromEventStore(rt.dataSource, usersReadModel, { schema: 'profiles' })).rejects.toThrow(/columns the fold of its events does not give: nickname/);
    } finally {
      await rt.dataSource.query('ALTER TABLE profiles.users DROP COLUMN nickname');
    }
  });

  it('lets the table\'s writers through while a long transaction keeps the rebuild from its lock, and swaps once it ends', async () => {
    const [held, other] = await Promise.all([register(a), register(b)]);
    // A transaction that wrote the table and stays open (a session left idle in its transaction).
    const long = await heldCommand(held, { fullName: 'Held open for long' });
    let settled = false;
    const rebuild = rebuildFromEventStore(rt.dataSource, usersReadModel, { schema: 'profiles', lockTimeoutMs: 200 });
    void rebuild.then(() => (settled = true), () => (settled = true));
    await eventually(async () => (await waitingOnUsers('ExclusiveLock')) === 1, { what: 'the rebuild to wait for its lock' });
    // A command queued behind the waiting lock goes through while the long transaction is still open.
    let timer: NodeJS.Timeout | undefined;
    const waitedOut = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the command waited for the long transaction')), 10_000)));
    try {
      await Promise.race([b.update(other, (s) => updateProfile(s, { changes: { fullName: 'Let through' } }), ctx), waitedOut]);
    } finally {
      clearTimeout(timer);
    }
    expect(settled).toBe(false);
    await long.commit();
    expect(await rebuild).toBeGreaterThan(0);
    const table = await usersTable();
    expect(table).toEqual(await foldedFromEvents());
    const byId = new Map(table.map((u) => [u.id as string, u]));
    expect(byId.get(held)).toMatchObject({ profile_info: { fullName: 'Held open for long' } });
    expect(byId.get(other)).toMatchObject({ profile_info: { fullName: 'Let through' } });
  }, 60_000);

  it('gives up, leaving the live table as it was, when the table stays locked through every attempt', async () => {
    const id = await register(a);
    const long = await heldCommand(id, { fullName: 'Never let go in time' });
    const before = await usersTable();
    try {
      await expect(rebuildFromEventStore(rt.dataSource, usersReadModel, { schema: 'profiles', lockTimeoutMs: 20 })).rejects.toThrow(/stayed locked by other transactions through \d+ attempts of 20 ms/);
      expect(await usersTable()).toEqual(before);
    } finally {
      await long.commit();
    }
  }, 60_000);

  it('loses no write of the commands running meanwhile: committed before the lock (even after the bulk load passed them), waiting at it, or after the swap', async () => {
    const users = await Promise.all(Array.from({ length: 30 }, (_, i) => register(i % 2 ? a : b, 'venue', { venueName: `V${i}` })));
    for (let round = 0; round < 3; round++) {
      await Promise.all(users.map((id, i) => (i % 2 ? a : b).update(id, (s) => updateProfile(s, { changes: { bio: `r${round}` } }), ctx)));
    }
    const [w, x, y] = users;
    // Appended before the rebuild starts, committed once the bulk load has passed its position.
    const afterBulk = await heldCommand(w, { fullName: 'Committed after the bulk load' });
    // Committed once the rebuild waits for its lock: only the catch-up under the lock can see it.
    const beforeLock = await heldCommand(x, { fullName: 'Committed just before the lock' });
    // Positions after theirs, so the bulk load reads past them.
    await Promise.all(users.slice(3).map((id) => a.update(id, (s) => updateProfile(s, { changes: { phone: '1' } }), ctx)));

    // Commands from two instances all along: profile updates, registrations, role changes, logouts.
    let stop = false;
    const registered: string[] = [];
    const acknowledged: { id: string; version: number }[] = [];
    const failed: string[] = [];
    const pool = [...users.slice(3)];
    const worker = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const repo = (n + i) % 2 ? a : b;
        const id = pool[(n * 7 + i * 13) % pool.length];
        const kind = i % 10;
        try {
          if (kind === 0) {
            const fresh = await register(repo, 'user', { bio: `w${n}-${i}` });
            registered.push(fresh);
            pool.push(fresh);
          } else {
            const { user } = await repo.update(id, (s) => (kind === 1 ? changeRole(s, s.role === 'venue' ? 'gallera' : 'venue') : kind === 2 ? logOut(s) : updateProfile(s, { changes: { address: `w${n}-${i}` } })), ctx);
            acknowledged.push({ id, version: user.version });
          }
        } catch (err) {
          failed.push((err as Error).message);
        }
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(worker));

    let blocked: Promise<unknown>[] = [];
    let afterBulkCommitted: Promise<void> | undefined;
    const progress: ReplayProgress[] = [];
    const rebuild = rebuildFromEventStore(rt.dataSource, usersReadModel, {
      // Small batches, and at most 10 states held: the bulk load writes them and reads their rows back many times over.
      schema: 'profiles', batchSize: 7, holdLimit: 10,
      onProgress: (p) => {
        progress.push(p);
        if (p.phase === 'catching-up' && !afterBulkCommitted) afterBulkCommitted = afterBulk.commit();
      },
    });
    await eventually(async () => (await waitingOnUsers('ExclusiveLock')) === 1, { what: 'the rebuild to wait for its lock', timeoutMs: 30_000 });
    // Queued behind the rebuild's lock: they write into the new table once it is swapped in.
    blocked = [
      a.update(y, (s) => updateProfile(s, { changes: { fullName: 'Waited at the lock' } }), ctx),
      register(b, 'gallera', { galleraName: 'Registered at the lock' }),
    ];
    await eventually(async () => (await waitingOnUsers('RowExclusiveLock')) >= 2, { what: 'commands to queue behind the lock' });
    await beforeLock.commit();
    expect(await rebuild).toBeGreaterThan(0);
    const [, late] = await Promise.all(blocked);
    await afterBulkCommitted;
    stop = true;
    await load;

    expect(progress.some((p) => p.phase === 'swapped')).toBe(true);
    expect(registered.length).toBeGreaterThan(0);
    // Every row is the fold of its events, and every user with events has one.
    const table = await usersTable();
    expect(table).toEqual(await foldedFromEvents());
    const byId = new Map(table.map((u) => [u.id as string, u]));
    expect(byId.get(w)).toMatchObject({ profile_info: { fullName: 'Committed after the bulk load' } });
    expect(byId.get(x)).toMatchObject({ profile_info: { fullName: 'Committed just before the lock' } });
    expect(byId.get(y)).toMatchObject({ profile_info: { fullName: 'Waited at the lock' } });
    expect(byId.get(late as string)).toMatchObject({ role: 'gallera', profile_info: { galleraName: 'Registered at the lock' } });
    for (const id of registered) expect(byId.has(id)).toBe(true);
    for (const { id, version } of acknowledged) expect(byId.get(id)!.version as number).toBeGreaterThanOrEqual(version);
    expect(failed).toEqual([]);
  }, 120_000);
});
