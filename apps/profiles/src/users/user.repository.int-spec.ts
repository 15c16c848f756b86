import { DataSource } from 'typeorm';
import { uuidv7 } from '@ripple/contracts';
import { VersionConflictError } from '@ripple/errors';
import { EventStore } from '@ripple/event-store';
import { publisherMigrations } from '@ripple/service-host';
import { createTestDatabase, type TestDatabase } from '@ripple/testing';
import { CreateProfiles1732240000000 } from '../migrations/1732240000000-create-profiles';
import { CreateIdempotencyKeys1732240000011 } from '../migrations/1732240000011-create-idempotency-keys';
import { AddTokenVersions1732240000050 } from '../migrations/1732240000050-add-token-versions';
import { registerUser, updateProfile } from './user';
import { UserRepository } from './user.repository';

let db: TestDatabase;
let ds: DataSource;
// Two repositories stand for two instances of the service: each queues its own commands per
// user, so between them only the append's conflict keeps the writes apart.
let a: UserRepository;
let b: UserRepository;
const ctx = { correlationId: 'spec', causationId: 'spec', actor: 'spec' };

beforeAll(async () => {
  db = await createTestDatabase();
  ds = new DataSource({ type: 'postgres', url: db.url, schema: 'profiles', migrationsTableName: 'migrations', migrations: [CreateProfiles1732240000000, CreateIdempotencyKeys1732240000011, AddTokenVersions1732240000050, ...publisherMigrations('profiles')], extra: { max: 20 } });
  await ds.initialize();
  await ds.query('CREATE SCHEMA IF NOT EXISTS profiles');
  await ds.runMigrations();
  a = new UserRepository(ds, new EventStore('profiles'));
  b = new UserRepository(ds, new EventStore('profiles'));
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

async function newUser(): Promise<string> {
  const id = uuidv7();
  await a.create(id, registerUser({ userId: id, username: `u${id.slice(-8)}`, email: `${id}@x.test`, role: 'user', profileInfo: {} }), 'hash', ctx);
  return id;
}

describe('UserRepository.update across instances', () => {
  it('lands every concurrent merge once, in versions without gaps, events and row agreeing', async () => {
    const id = await newUser();
    const fields = ['bio', 'phone', 'address', 'fullName', 'businessName', 'venueName'] as const;
    const writes = fields.flatMap((f, i) => [a, b].map((repo, r) => repo.update(id, (s) => updateProfile(s, { changes: { [f]: `${f}-${r}-${i}` } }), ctx)));
    const results = await Promise.all(writes);
    expect(new Set(results.map((x) => x.user.version)).size).toBe(writes.length);

    const user = await a.get(id);
    expect(user.version).toBe(1 + writes.length);
    for (const f of fields) expect(user.profileInfo[f]).toMatch(new RegExp(`^${f}-[01]-\\d$`));
    const events = await ds.query('SELECT version FROM profiles.events WHERE stream_id = $1 ORDER BY version', [id]);
    expect(events.map((e: { version: number }) => e.version)).toEqual(Array.from({ length: 1 + writes.length }, (_, i) => i + 1));
  });

  it('refuses a stale expectedVersion, whichever instance wrote in between', async () => {
    const id = await newUser();
    await a.update(id, (s) => updateProfile(s, { changes: { bio: 'first' }, expectedVersion: 1 }), ctx);
    await expect(b.update(id, (s) => updateProfile(s, { changes: { bio: 'stale' }, expectedVersion: 1 }), ctx)).rejects.toBeInstanceOf(VersionConflictError);
    expect((await b.get(id)).profileInfo.bio).toBe('first');
  });

  it('applies concurrent retries of one idempotency key once, and answers each with the first result', async () => {
    const id = await newUser();
    const key = { key: 'retry-key-0001', requestHash: 'h1' };
    const results = await Promise.all([a, b, a, b].map((repo) => repo.update(id, (s) => updateProfile(s, { changes: { bio: 'once' } }), ctx, key)));
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.user.version))).toEqual(new Set([2]));
    expect((await a.get(id)).version).toBe(2);
  });

  it('decides on the state it committed last without reading, and on a read when another instance wrote since', async () => {
    const id = await newUser();
    let reads = 0;
    const query = ds.query.bind(ds);
    ds.query = ((sql: string, params?: unknown[]) => {
      if (/^\s*SELECT u\.\*/.test(sql)) reads++;
      return query(sql, params);
    }) as typeof ds.query;
    try {
      await a.update(id, (s) => updateProfile(s, { changes: { bio: 'x' } }), ctx);
      await a.update(id, (s) => updateProfile(s, { changes: { phone: '+1 555 0101' } }), ctx);
      expect(reads).toBe(0);
      // b writes: a's kept state is now stale. Its next decision (bio back to 'x', a change only
      // on the current state) must not be taken as "nothing to do", nor lose b's write.
      await b.update(id, (s) => updateProfile(s, { changes: { bio: 'y' } }), ctx);
      const { user } = await a.update(id, (s) => updateProfile(s, { changes: { bio: 'x' } }), ctx);
      expect(user).toMatchObject({ version: 5, profileInfo: { bio: 'x', phone: '+1 555 0101' } });
      expect(await a.get(id)).toMatchObject({ version: 5, profileInfo: { bio: 'x', phone: '+1 555 0101' } });
      // A stale expectedVersion judged on a's kept state is judged again on the current one.
      await b.update(id, (s) => updateProfile(s, { changes: { bio: 'z' } }), ctx);
      await a.update(id, (s) => updateProfile(s, { changes: { bio: 'w' }, expectedVersion: 6 }), ctx);
      expect((await a.get(id)).profileInfo.bio).toBe('w');
      // A retried key is answered from its first result, not applied again from the kept state.
      const key = { key: 'kept-state-key-1', requestHash: 'h' };
      const first = await a.update(id, (s) => updateProfile(s, { changes: { bio: 'keyed' } }), ctx, key);
      const again = await a.update(id, (s) => updateProfile(s, { changes: { bio: 'keyed' } }), ctx, key);
      expect(again).toMatchObject({ replayed: true, user: { version: first.user.version } });
      expect((await a.get(id)).version).toBe(first.user.version);
    } finally {
      ds.query = query;
    }
  });
});
