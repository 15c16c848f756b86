import { DataSource } from 'typeorm';
import { uuidv7, type DomainEvent } from '@ripple/contracts';
import { EventStore } from '@ripple/event-store';
import { publisherMigrations } from '@ripple/service-host';
import { applyBatchAlone } from '@ripple/projections';
import { createTestDatabase, type TestDatabase } from '@ripple/testing';
import { venuesDefinition } from '../venues.definition';
import { VenueDirectoryProjection } from './venue-directory.projection';

let db: TestDatabase;
let ds: DataSource;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = new DataSource({ type: 'postgres', url: db.url, schema: 'venues', migrationsTableName: 'migrations', migrations: [...venuesDefinition.migrations, ...publisherMigrations('venues')], extra: { max: 4 } });
  await ds.initialize();
  await ds.query('CREATE SCHEMA venues');
  await ds.runMigrations();
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const versions = new Map<string, number>();
function event(type: string, userId: string, data: Record<string, unknown>): DomainEvent {
  const version = (versions.get(userId) ?? 0) + 1;
  versions.set(userId, version);
  const id = uuidv7();
  return { id, type, schemaVersion: 1, aggregateType: 'user', aggregateId: userId, aggregateVersion: version, occurredAt: new Date().toISOString(), correlationId: id, causationId: id, actor: 'test', data } as unknown as DomainEvent;
}
const registered = (userId: string, role: string, profileInfo: Record<string, unknown>) =>
  event('UserRegistered', userId, { username: `u${userId.slice(-6)}`, email: `${userId}@x.test`, role, profileInfo });
const updated = (userId: string, changes: Record<string, unknown>) => event('UserProfileUpdated', userId, { changes });

/** A projection whose `apply` calls are counted: a batch it speculated on never reaches `apply`. */
function counted(): { projection: VenueDirectoryProjection; applied: () => number } {
  const projection = new VenueDirectoryProjection(new EventStore('venues'));
  let calls = 0;
  const apply = projection.apply.bind(projection);
  projection.apply = (...args) => (calls++, apply(...args));
  return { projection, applied: () => calls };
}
const run = (projection: VenueDirectoryProjection, events: DomainEvent[]) => applyBatchAlone(ds, 'venues', projection, events, { respectDeadLetters: true, mode: 'live' });
const venueOf = async (owner: string) => (await ds.query('SELECT name, description, version, contact_info FROM venues.venues WHERE owner_id = $1', [owner]))[0];
const usernameOf = async (user: string) => (await ds.query('SELECT username FROM venues.owner_profiles WHERE user_id = $1', [user]))[0].username;
const synced = async (owner: string) => (await ds.query(`SELECT e.version AS v FROM venues.events e JOIN venues.venues x ON x.id::text = e.stream_id WHERE x.owner_id = $1 ORDER BY 1`, [owner])).map((r: { v: number }) => r.v);

describe('venue directory', () => {
  it('writes a batch of users whose entries it saw commit in one round trip, checked against the rows as they are', async () => {
    const [venueOwner, galleraOwner] = [uuidv7(), uuidv7()];
    const mine = counted();
    // The first batch reads the entries (none yet): a venue and a gallera are created.
    await run(mine.projection, [
      registered(venueOwner, 'venue', { venueName: 'Arena', venueLocation: 'Town', venueEmail: 'a@x.test' }),
      registered(galleraOwner, 'gallera', { galleraName: 'Pit', galleraLocation: 'Village' }),
    ]);
    expect(mine.applied()).toBe(1);
    // The next ones go on what it committed, timestamps, JSON columns and empty gallera fields compared as they are stored.
    await run(mine.projection, [updated(venueOwner, { venueDescription: 'Big' }), updated(galleraOwner, { galleraDescription: 'Old' })]);
    await run(mine.projection, [updated(venueOwner, { venueWebsite: 'https://arena.test' })]);
    expect(mine.applied()).toBe(1);
    expect(await venueOf(venueOwner)).toEqual({ name: 'Arena', description: 'Big', version: 3, contact_info: { email: 'a@x.test', website: 'https://arena.test' } });
    expect(await synced(venueOwner)).toEqual([1, 2, 3]);

    // Another instance applies the next change (as after a change of leader): this one's memory is stale,
    // its check fails, and it applies from the rows.
    const theirs = counted();
    await run(theirs.projection, [updated(venueOwner, { venueName: 'Stadium' })]);
    await run(mine.projection, [updated(venueOwner, { venueDescription: 'Huge' })]);
    expect(mine.applied()).toBe(2);
    expect(await venueOf(venueOwner)).toMatchObject({ name: 'Stadium', description: 'Huge', version: 5 });
    expect(await synced(venueOwner)).toEqual([1, 2, 3, 4, 5]);

    // A row changed behind every projection's back (a replay's swap, a hand edit) is found too: a change
    // that leaves the venue alone still writes the profile row, from the row as it is, not as remembered.
    await ds.query(`UPDATE venues.owner_profiles SET username = 'renamed' WHERE user_id = $1`, [galleraOwner]);
    await run(mine.projection, [updated(galleraOwner, { bio: 'hello' })]);
    expect(mine.applied()).toBe(3);
    expect((await ds.query('SELECT username, profile_info FROM venues.owner_profiles WHERE user_id = $1', [galleraOwner]))[0]).toMatchObject({ username: 'renamed', profile_info: { bio: 'hello' } });
    // …and from then on it is remembered again.
    await run(mine.projection, [updated(galleraOwner, { bio: 'again' })]);
    expect(mine.applied()).toBe(3);
    expect((await ds.query('SELECT username FROM venues.owner_profiles WHERE user_id = $1', [galleraOwner]))[0].username).toBe('renamed');
  });

  it('applies a batch the usual way from the entries it remembers, reading only users it does not know or whose rows moved', async () => {
    const [a, b, c] = [uuidv7(), uuidv7(), uuidv7()];
    const mine = counted();
    // The users whose entries each batch reads with its BEGIN (the second of the statements `reads` gives).
    const loaded: string[][] = [];
    const reads = mine.projection.reads.bind(mine.projection);
    mine.projection.reads = (...args) => {
      const statements = reads(...args);
      loaded.push([...(statements[1].values![0] as string[])].sort());
      return statements;
    };
    const usual = (events: DomainEvent[]) => applyBatchAlone(ds, 'venues', mine.projection, events, { respectDeadLetters: true, mode: 'live', oneTrip: false });

    await usual([registered(a, 'venue', { venueName: 'Arena A', venueLocation: 'Town' }), registered(b, 'venue', { venueName: 'Arena B', venueLocation: 'Town' })]);
    expect(loaded.at(-1)).toEqual([a, b].sort());

    // b's profile row is changed behind the projection's back: it is another version now, so b is read after all
    // (and the batch applies the change on the row as it is); a goes on what it remembers; c is new.
    await ds.query(`UPDATE venues.owner_profiles SET username = 'renamed' WHERE user_id = $1`, [b]);
    await usual([updated(a, { venueDescription: 'first' }), updated(b, { venueDescription: 'second' }), registered(c, 'venue', { venueName: 'Arena C', venueLocation: 'City' })]);
    expect(loaded.at(-1)).toEqual([c]);
    expect(await venueOf(a)).toMatchObject({ name: 'Arena A', description: 'first', version: 2 });
    expect(await venueOf(b)).toMatchObject({ name: 'Arena B', description: 'second', version: 2 });
    expect(await usernameOf(b)).toBe('renamed');
    expect(await venueOf(c)).toMatchObject({ name: 'Arena C', version: 1 });

    // What it committed is what it remembers, row versions included: the next batch of all three reads none of them.
    await usual([updated(a, { venueDescription: 'third' }), updated(b, { venueDescription: 'fourth' }), updated(c, { venueDescription: 'fifth' })]);
    expect(loaded.at(-1)).toEqual([]);
    expect(await venueOf(b)).toMatchObject({ description: 'fourth', version: 3 });
    expect(await usernameOf(b)).toBe('renamed');
    expect(await synced(a)).toEqual([1, 2, 3]);
    expect(await synced(b)).toEqual([1, 2, 3]);
    expect(mine.applied()).toBe(3);
  });

  it('leaves room on each page of the tables its batches update in place, so that an update can stay on its page', async () => {
    const rows = await ds.query(`SELECT relname, reloptions FROM pg_class WHERE relnamespace = 'venues'::regnamespace AND relkind = 'r' AND reloptions IS NOT NULL ORDER BY 1`);
    expect(rows).toEqual(['galleras', 'owner_profiles', 'venue_directory__checkpoints', 'venues'].map((relname) => ({ relname, reloptions: ['fillfactor=60'] })));
  });
});
