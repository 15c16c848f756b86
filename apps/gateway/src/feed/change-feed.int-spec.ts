import { DataSource, type QueryRunner } from 'typeorm';
import { uuidv7, type DomainEvent } from '@ripple/contracts';
import { applyBatch, applyBatchAlone, liveTables, type Projection } from '@ripple/projections';
import type { EntityManager } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@ripple/testing';
import { gatewayDefinition } from '../gateway.definition';
import { TokenRevocations } from '../revocation/token-revocations';
import { ChangeFeedProjection } from './change-feed.projection';
import { CursorCodec } from './feed-cursor';
import { FeedCursors } from './feed-cursors';
import { FeedReader } from './feed-reader';

let db: TestDatabase;
let ds: DataSource;
let reader: FeedReader;
const profiles = new ChangeFeedProjection('profiles');
const pets = new ChangeFeedProjection('pets');
const SECRET = 'feed-spec-secret-0123456';

beforeAll(async () => {
  db = await createTestDatabase();
  ds = new DataSource({ type: 'postgres', url: db.url, schema: 'gateway', migrationsTableName: 'migrations', migrations: gatewayDefinition.migrations, extra: { max: 6 } });
  await ds.initialize();
  await ds.query('CREATE SCHEMA gateway');
  await ds.runMigrations();
  reader = new FeedReader(ds);
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const versions = new Map<string, number>();
function event(type: string, aggregateType: string, aggregateId: string, data: Record<string, unknown>): DomainEvent {
  const version = (versions.get(aggregateId) ?? 0) + 1;
  versions.set(aggregateId, version);
  const id = uuidv7();
  return { id, type, schemaVersion: 1, aggregateType, aggregateId, aggregateVersion: version, occurredAt: new Date().toISOString(), correlationId: id, causationId: id, actor: 'test', data } as unknown as DomainEvent;
}
const registered = (userId: string, role = 'user') => event('UserRegistered', 'user', userId, { username: userId.slice(-6), email: `${userId}@x.test`, role, profileInfo: {} });
const profileUpdated = (userId: string, bio: string) => event('UserProfileUpdated', 'user', userId, { changes: { bio } });

async function begin(): Promise<QueryRunner> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  await qr.startTransaction();
  return qr;
}
/** The runner's path: checkpoints, the projection's locks, then its writes. */
const write = (tx: EntityManager, projection: Projection, events: DomainEvent[]) =>
  applyBatch(tx, 'gateway', projection, events, liveTables('gateway'), { respectDeadLetters: true, mode: 'live' });
async function applyCommitted(projection = profiles, events: DomainEvent[]) {
  await ds.transaction((tx) => write(tx, projection, events));
}
/** Users whose feed is an admin's (the role their token claims). */
const admins = new Set<string>();
const readAll = async (userId: string, after = 0) => reader.read({ userId, admin: admins.has(userId) }, after, 1000);

describe('change feed', () => {
  it('never lets a reader skip a change whose transaction commits after a later one started', async () => {
    const user = uuidv7();
    await applyCommitted(profiles, [registered(user)]);
    let cursor = (await readAll(user)).at(-1)!.position;
    const seen: string[] = [];
    const poll = async () => {
      for (const row of await readAll(user, cursor)) {
        seen.push(row.eventType);
        cursor = row.position;
      }
    };

    const first = await begin();
    await write(first.manager, profiles, [profileUpdated(user, 'first')]);
    // The second writer (another stream's projection: the user's pet) must not take a position until the first commits.
    const second = await begin();
    const petOfUser = event('PetRegistered', 'pet', uuidv7(), { ownerId: user, name: 'Rex', species: 'dog', breed: null, weightKg: 10, emergencyContactUserId: null, emergencyContactName: null, emergencyContactPhone: null });
    const secondWrote = write(second.manager, pets, [petOfUser]);
    await poll();
    expect(seen).toEqual([]);

    await first.commitTransaction();
    expect(await secondWrote).toEqual(['apply']);
    await poll();
    expect(seen).toEqual(['UserProfileUpdated']);
    await second.commitTransaction();
    await poll();
    expect(seen).toEqual(['UserProfileUpdated', 'PetRegistered']);
    await first.release();
    await second.release();
  });

  it('delivers a change only to the people its record concerns, and everything to an admin', async () => {
    const [owner, contact, vetUser, stranger, admin] = [uuidv7(), uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    const [pet, vet, record] = [uuidv7(), uuidv7(), uuidv7()];
    admins.add(admin);
    await applyCommitted(profiles, [owner, contact, vetUser, stranger].map((u) => registered(u)).concat(registered(admin, 'admin')));
    const start = (await readAll(admin)).at(-1)!.position;

    await applyCommitted(pets, [
      event('PetRegistered', 'pet', pet, { ownerId: owner, name: 'Rex', species: 'dog', breed: null, weightKg: 10, emergencyContactUserId: contact, emergencyContactName: null, emergencyContactPhone: null }),
      event('VeterinarianRegistered', 'veterinarian', vet, { name: 'Dr V', clinicName: 'Clinic', phone: null, email: null, userId: vetUser, createdBy: owner }),
      event('HealthRecordRecorded', 'health-record', record, { petId: pet, vetId: vet, clinicName: 'Clinic', vetPhone: null, weightKg: 11, visitDate: '2025-01-01', notes: '' }),
      event('PetUpdated', 'pet', pet, { changes: { weightKg: 12 }, previous: { weightKg: 10 }, unconditional: true }),
    ]);
    await applyCommitted(profiles, [profileUpdated(owner, 'owner only')]);

    const types = async (u: string) => (await readAll(u, start)).map((r) => r.eventType);
    expect(await types(owner)).toEqual(['PetRegistered', 'VeterinarianRegistered', 'HealthRecordRecorded', 'PetUpdated', 'UserProfileUpdated']);
    expect(await types(contact)).toEqual(['PetRegistered', 'HealthRecordRecorded', 'PetUpdated']);
    // The vet sees the pet from the moment a record links them to it.
    expect(await types(vetUser)).toEqual(['VeterinarianRegistered', 'HealthRecordRecorded', 'PetUpdated']);
    expect(await types(stranger)).toEqual([]);
    expect(await types(admin)).toHaveLength(5);

    // Ownership moves: the new owner sees what follows, the old one stops seeing it.
    const mark = (await readAll(admin)).at(-1)!.position;
    await applyCommitted(pets, [event('PetUpdated', 'pet', pet, { changes: { ownerId: stranger }, previous: { ownerId: owner }, unconditional: true })]);
    await applyCommitted(pets, [event('PetUpdated', 'pet', pet, { changes: { weightKg: 13 }, previous: { weightKg: 12 }, unconditional: true })]);
    expect((await readAll(stranger, mark)).length).toBe(2);
    expect((await readAll(owner, mark)).length).toBe(0);

    // Within one batch each event is decided on the scopes as they stood right after it.
    const mid = (await readAll(admin)).at(-1)!.position;
    await applyCommitted(pets, [
      event('PetUpdated', 'pet', pet, { changes: { weightKg: 14 }, previous: { weightKg: 13 }, unconditional: true }),
      event('PetUpdated', 'pet', pet, { changes: { ownerId: owner }, previous: { ownerId: stranger }, unconditional: true }),
      event('PetUpdated', 'pet', pet, { changes: { weightKg: 15 }, previous: { weightKg: 14 }, unconditional: true }),
    ]);
    const weights = async (u: string) => (await readAll(u, mid)).map((r) => (r.data as { changes: Record<string, unknown> }).changes.weightKg ?? 'owner');
    expect(await weights(stranger)).toEqual([14]);
    expect(await weights(owner)).toEqual(['owner', 15]);
    expect(await weights(contact)).toEqual([14, 'owner', 15]);
  });

  it('writes a batch whose records\' scopes it remembers in one round trip, unless another writer moved them since', async () => {
    const [venue, first, second] = [uuidv7(), uuidv7(), uuidv7()];
    // Two gateway instances' projections of one stream, as around a change of leader.
    const [mine, theirs] = [new ChangeFeedProjection('venues'), new ChangeFeedProjection('venues')];
    const applied: string[] = [];
    for (const [who, p] of [['mine', mine], ['theirs', theirs]] as const) {
      const apply = p.apply.bind(p);
      p.apply = (...args) => (applied.push(who), apply(...args));
    }
    const synced = (ownerId: string) => event('VenueSynced', 'venue', venue, { ownerId, name: 'Arena', location: 'Town', description: null, contactInfo: {} });
    const run = (p: ChangeFeedProjection, e: DomainEvent) => applyBatchAlone(ds, 'gateway', p, [e], { respectDeadLetters: true, mode: 'live' });
    const refs = async () => (await ds.query(`SELECT refs FROM gateway.scopes WHERE aggregate_type = 'venue' AND aggregate_id = $1`, [venue]))[0].refs;
    const mark = (await readAll(first)).length;

    expect(await run(mine, synced(first))).toEqual(['apply']);
    expect(await run(mine, synced(first))).toEqual(['apply']);
    // The first read the scopes; the second went on what the first committed.
    expect(applied.splice(0)).toEqual(['mine']);
    // The other instance moves the venue to another owner…
    expect(await run(theirs, synced(second))).toEqual(['apply']);
    expect(applied.splice(0)).toEqual(['theirs']);
    // …so this one's memory is stale: its batch is checked, rolled back and applied from what the table holds,
    // and the scope moves back (remembered, it would have looked unchanged and not been written).
    expect(await run(mine, synced(first))).toEqual(['apply']);
    expect(applied.splice(0)).toEqual(['mine']);
    expect(await refs()).toEqual({ ownerId: first });
    expect(await run(mine, synced(first))).toEqual(['apply']);
    expect(applied.splice(0)).toEqual([]);
    expect((await readAll(first)).length - mark).toBe(4);
    expect((await readAll(second)).map((r) => r.aggregateVersion)).toEqual([3]);
  });

  it('keeps each user\'s highest token version, which a booting gateway loads to refuse revoked tokens', async () => {
    const [user, other] = [uuidv7(), uuidv7()];
    const revoked = (userId: string, tokenVersion: number) => event('UserTokensRevoked', 'user', userId, { tokenVersion, reason: 'logged_out' });
    await applyCommitted(profiles, [registered(user), registered(other), revoked(user, 1), revoked(user, 2)]);
    await applyCommitted(profiles, [revoked(user, 3)]);

    const revocations = new TokenRevocations(ds);
    await revocations.load();
    expect([0, 2, 3].map((tv) => revocations.isRevoked(user, tv))).toEqual([true, true, false]);
    expect(revocations.isRevoked(other, 0)).toBe(false);
    // The user's own feed says so too: their clients learn they were signed out.
    expect((await readAll(user)).map((r) => r.eventType)).toEqual(['UserRegistered', 'UserTokensRevoked', 'UserTokensRevoked', 'UserTokensRevoked']);
    // Each row carries its aggregate's version, which clients merge REST snapshots by.
    expect((await readAll(user)).map((r) => r.aggregateVersion)).toEqual([1, 2, 3, 4]);
  });

  it('writes each event once, however often it is applied', async () => {
    const user = uuidv7();
    const e = registered(user);
    // Directly, as a replay re-applies events whose changes are already in the feed (no checkpoint guards it),
    // with the writes the projection leaves for the COMMIT.
    const applyDirectly = () => ds.transaction(async (tx) => {
      for (const w of (await profiles.apply(tx, [e], liveTables('gateway'), 'replay', [])) ?? []) await tx.query(w.text, [...(w.values ?? [])]);
    });
    await applyDirectly();
    await applyDirectly();
    expect(await readAll(user)).toHaveLength(1);
  });

  it('answers a forged, foreign, unknown or rebuilt-feed cursor with a reset, never a gap', async () => {
    const [alice, bob] = [uuidv7(), uuidv7()];
    await applyCommitted(profiles, [registered(alice), registered(bob)]);
    const epoch = await reader.epoch();
    const cursors = new FeedCursors(SECRET, epoch, reader);
    const head = await reader.head();
    const codec = new CursorCodec(SECRET);

    expect(await cursors.resolve(alice, cursors.issue(alice, 1), 'head')).toEqual({ position: 1 });
    expect(await cursors.resolve(alice, cursors.issue(bob, 1), 'head')).toEqual({ position: head, reset: 'cursor_invalid' });
    expect(await cursors.resolve(alice, 'bm90LWEtY3Vyc29y', 'head')).toEqual({ position: head, reset: 'cursor_invalid' });
    expect(await cursors.resolve(alice, cursors.issue(alice, head + 100), 'head')).toEqual({ position: head, reset: 'cursor_unknown' });
    expect(await cursors.resolve(alice, codec.encode(alice, { epoch: uuidv7(), position: 1 }), 'head')).toEqual({ position: head, reset: 'feed_rebuilt' });
    expect(await cursors.resolve(alice, undefined, 'start')).toEqual({ position: 0 });
  });
});
