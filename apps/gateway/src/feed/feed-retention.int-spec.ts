import { DataSource } from 'typeorm';
import { uuidv7, type DomainEvent } from '@ripple/contracts';
import { JsonLogger, RippleMetrics } from '@ripple/observability';
import { applyBatch, liveTables } from '@ripple/projections';
import { createTestDatabase, type TestDatabase } from '@ripple/testing';
import { gatewayDefinition } from '../gateway.definition';
import { ChangeFeedProjection } from './change-feed.projection';
import { FeedCursors } from './feed-cursors';
import { FeedPrunedError, FeedReader } from './feed-reader';
import { FeedRetention } from './feed-retention';

/** The feed's window against real PostgreSQL: what is pruned, and what a cursor from before the cut gets. */
let db: TestDatabase;
let ds: DataSource;
let reader: FeedReader;
let cursors: FeedCursors;
const logger = new JsonLogger('feed-retention-itest', 'error');
const profiles = new ChangeFeedProjection('profiles');
const user = uuidv7();
let version = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = new DataSource({ type: 'postgres', url: db.url, schema: 'gateway', migrationsTableName: 'migrations', migrations: gatewayDefinition.migrations, extra: { max: 4 } });
  await ds.initialize();
  await ds.query('CREATE SCHEMA gateway');
  await ds.runMigrations();
  reader = new FeedReader(ds);
  cursors = new FeedCursors('feed-retention-secret-0123', await reader.epoch(), reader);
  await write([event('UserRegistered', { username: 'u', email: 'u@x.test', role: 'user', profileInfo: {} })]);
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

function event(type: string, data: Record<string, unknown>): DomainEvent {
  const id = uuidv7();
  return { id, type, schemaVersion: 1, aggregateType: 'user', aggregateId: user, aggregateVersion: ++version, occurredAt: new Date().toISOString(), correlationId: id, causationId: id, actor: 'test', data } as unknown as DomainEvent;
}
const write = (events: DomainEvent[]) => ds.transaction((tx) => applyBatch(tx, 'gateway', profiles, events, liveTables('gateway'), { respectDeadLetters: true, mode: 'live' }));
const bios = async (n: number) => write(Array.from({ length: n }, (_, i) => event('UserProfileUpdated', { changes: { bio: `b${version + i + 1}` } })));
const positions = async (): Promise<number[]> => (await ds.query('SELECT position FROM gateway.changes ORDER BY position')).map((r: { position: string }) => Number(r.position));
const audienceRows = async (): Promise<number> => (await ds.query('SELECT count(*)::int AS n FROM gateway.change_audience'))[0].n;
const retention = (maxAgeS: number, maxChanges: number) => new FeedRetention(ds, { maxAgeS, maxChanges, intervalMs: 60_000 }, new RippleMetrics('feed-retention-itest'), logger);

it('prunes by size: keeps the last N positions, and a cursor from before them is reset too_old', async () => {
  await bios(9);
  const before = await positions();
  expect(before).toHaveLength(10);
  const old = cursors.issue(user, before[1]);
  const kept = cursors.issue(user, before[7]);

  await retention(0, 4).prune();
  const after = await positions();
  expect(after).toEqual(before.slice(-4));
  expect(await audienceRows()).toBe(4);

  expect(await cursors.resolve(user, old, 'head')).toEqual({ position: before[9], reset: 'too_old' });
  // The cut is at before[5]: a cursor there, or above, still resumes with nothing missing.
  expect(await cursors.resolve(user, cursors.issue(user, before[5]), 'head')).toEqual({ position: before[5] });
  expect(await cursors.resolve(user, kept, 'head')).toEqual({ position: before[7] });
  expect((await reader.read({ userId: user, admin: false }, before[7], 100)).map((r) => r.position)).toEqual(before.slice(8));
  // A full read with no cursor starts at the oldest change kept.
  const start = await cursors.resolve(user, undefined, 'start');
  expect(start).toEqual({ position: before[5] });
  expect((await reader.read({ userId: user, admin: false }, start.position, 100)).map((r) => r.position)).toEqual(after);
});

it('prunes by age: changes recorded before the window go, younger ones stay', async () => {
  await bios(3);
  const all = await positions();
  const young = all.slice(-3);
  await ds.query(`UPDATE gateway.changes SET recorded_at = now() - interval '2 hours' WHERE position < $1`, [young[0]]);

  await retention(3600, 0).prune();
  expect(await positions()).toEqual(young);
  expect(await cursors.resolve(user, cursors.issue(user, all[0]), 'head')).toMatchObject({ reset: 'too_old' });
  expect(await cursors.resolve(user, cursors.issue(user, young[0] - 1), 'head')).toEqual({ position: young[0] - 1 });
});

it('refuses a page whose changes were pruned after its cursor was accepted, rather than skip them', async () => {
  await bios(4);
  const all = await positions();
  const from = all[0];
  expect(await cursors.resolve(user, cursors.issue(user, from), 'head')).toEqual({ position: from });
  await expect(reader.read({ userId: user, admin: false }, from, 100)).resolves.toHaveLength(all.length - 1);

  await retention(0, 2).prune();
  await expect(reader.read({ userId: user, admin: false }, from, 100)).rejects.toBeInstanceOf(FeedPrunedError);
  const kept = await positions();
  expect((await reader.read({ userId: user, admin: false }, kept[0] - 1, 100)).map((r) => r.position)).toEqual(kept);
});

it('with no limits set, prunes nothing', async () => {
  const before = await positions();
  await ds.query(`UPDATE gateway.changes SET recorded_at = now() - interval '3000 days'`);
  await retention(0, 0).prune();
  expect(await positions()).toEqual(before);
});
