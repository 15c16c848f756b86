import type { ConfigSpec } from '@ripple/config';
import { uuidv7 } from '@ripple/contracts';
import { createRuntime, ReplayJobs, startPipeline, stopRuntime, type ServiceRuntime } from '@ripple/service-host';
import { createTestDatabase, deleteNamespaceStreams, eventually, testNamespace, testNatsUrl, type TestDatabase } from '@ripple/testing';
import { profilesDefinition } from '../profiles.definition';
import { changePassword, changeRole, logOut, registerUser, updateProfile, type UserState } from './user';
import { UserRepository } from './user.repository';

/**
 * The `users` table is a projection of the PROFILES events: the command path
 * writes each row with its events, and a replay (as the ops endpoint and
 * `npx ripple replay users` run it) rebuilds the same rows from the stream.
 */
let db: TestDatabase;
let rt: ServiceRuntime<ConfigSpec>;
// Two repositories stand for two instances of the service.
let a: UserRepository;
let b: UserRepository;
const namespace = testNamespace();
const ctx = { correlationId: 'spec', causationId: 'spec', actor: 'spec' };

beforeAll(async () => {
  db = await createTestDatabase('ripple_users_rebuild');
  rt = (await createRuntime(profilesDefinition, {
    DATABASE_URL: db.url, NATS_URL: await testNatsUrl(), RIPPLE_NAMESPACE: namespace, JWT_SECRET: 'spec-secret-at-least-16-chars', LOG_LEVEL: 'error',
  })) as unknown as ServiceRuntime<ConfigSpec>;
  await startPipeline(rt);
  a = new UserRepository(rt.dataSource, rt.eventStore);
  b = new UserRepository(rt.dataSource, rt.eventStore);
}, 60_000);

afterAll(async () => {
  if (rt) {
    await deleteNamespaceStreams(rt.broker.jsm, namespace).catch(() => undefined);
    await stopRuntime(rt);
  }
  await db?.drop();
});

/** Every column of every row, in id order. */
const usersTable = async () => rt.dataSource.query('SELECT * FROM profiles.users ORDER BY id');
const replayUsers = () => new ReplayJobs(rt).claim('users')(() => undefined);
/** The live `users` runner has taken every event the event store holds. */
const caughtUp = async () => {
  const [{ behind }] = await rt.dataSource.query(
    `SELECT count(*)::int AS behind FROM (SELECT stream_id, max(version) AS v FROM profiles.events GROUP BY stream_id) e
     LEFT JOIN profiles.users__checkpoints cp ON cp.aggregate_id = e.stream_id WHERE cp.version IS DISTINCT FROM e.v`,
  );
  return behind === 0;
};

async function register(role: UserState['role'], profileInfo: Record<string, string> = {}): Promise<string> {
  const id = uuidv7();
  await a.create(id, registerUser({ userId: id, username: `u${id.slice(-10)}`, email: `${id}@x.test`, role, profileInfo }), 'hash-0', ctx);
  return id;
}

describe('the users table as a projection of its events', () => {
  it('rebuilt by a replay after registrations, profile updates, role changes, password changes and logouts, equals the live table row for row', async () => {
    const venue = await register('venue', { fullName: 'Vera', venueName: 'Arena' });
    const gallera = await register('gallera', { galleraName: 'Roost', phone: '+1 555 0100' });
    const owner = await register('pet_owner');
    const plain = await register('user', { bio: 'hello' });
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
    await eventually(caughtUp, { what: 'the live users runner to take every event' });

    const live = await usersTable();
    expect(live).toHaveLength(4);
    expect(live.find((u: { id: string }) => u.id === plain)).toMatchObject({ version: 5, token_version: 3, profile_info: { fullName: 'Plain' } });
    expect(live.find((u: { id: string }) => u.id === owner)).toMatchObject({ role: 'admin', token_version: 2 });
    const [{ events }] = await rt.dataSource.query('SELECT count(*)::int AS events FROM profiles.events');

    expect(await replayUsers()).toBeGreaterThanOrEqual(events);
    expect(await usersTable()).toEqual(live);
    // The live runner found nothing to write: the command path had written every row.
    expect(await caughtUp()).toBe(true);
  });

  it('brings forward, live, a row a replay swapped in before the command\'s event reached the stream', async () => {
    const user = await register('venue', { venueName: 'Before' });
    await eventually(caughtUp, { what: 'the registration on the stream' });
    await rt.relay!.stop();
    const late = await register('user');
    await a.update(user, (s) => updateProfile(s, { changes: { venueName: 'During the swap' } }), ctx);
    const live = await usersTable();

    await replayUsers();
    const rebuilt = await usersTable();
    expect(rebuilt.find((u: { id: string }) => u.id === late)).toBeUndefined();
    expect(rebuilt.find((u: { id: string }) => u.id === user)).toMatchObject({ version: 1, profile_info: { venueName: 'Before' } });

    await rt.relay!.start();
    await eventually(async () => (await caughtUp()) && (await usersTable()).length === live.length, { what: 'the live runner to apply what the swap left out' });
    expect(await usersTable()).toEqual(live);
  });
});
