import { DataSource, QueryFailedError } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@ripple/testing';
import { queryGrouped } from './grouped';

let db: TestDatabase;
let ds: DataSource;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = new DataSource({ type: 'postgres', url: db.url, extra: { max: 4 } });
  await ds.initialize();
  await ds.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const INSERT = 'INSERT INTO t (id, v) VALUES ($1, $2) RETURNING id, pg_current_xact_id()::text AS tx';

describe('queryGrouped', () => {
  it('sends statements that arrive while one is in flight together, in the order they came, as one transaction', async () => {
    const results = await Promise.all([1, 2, 3, 4, 5].map((id) => queryGrouped<{ id: number; tx: string }>(ds, INSERT, [id, `v${id}`])));

    expect(results.map(([r]) => r.id)).toEqual([1, 2, 3, 4, 5]);
    // The first went alone, at once; the four that came while it was in flight went together.
    expect(results[0][0].tx).not.toBe(results[1][0].tx);
    expect(new Set(results.slice(1).map(([r]) => r.tx)).size).toBe(1);
    expect(await ds.query('SELECT id FROM t WHERE id <= 5 ORDER BY id')).toEqual([1, 2, 3, 4, 5].map((id) => ({ id })));
  });

  it('fails only the caller whose statement failed; the others of its group commit', async () => {
    const [first, ...group] = await Promise.allSettled([10, 11, 1, 12].map((id) => queryGrouped(ds, INSERT, [id, 'x'])));

    expect(first.status).toBe('fulfilled');
    expect(group.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const err = (group[1] as PromiseRejectedResult).reason;
    expect(err).toBeInstanceOf(QueryFailedError);
    expect(err).toMatchObject({ constraint: 't_pkey', code: '23505' });
    expect(await ds.query("SELECT id FROM t WHERE v = 'x' ORDER BY id")).toEqual([{ id: 10 }, { id: 11 }, { id: 12 }]);
  });

  it('goes on after a failed group, with its connections back in the pool', async () => {
    // More failed groups than the pool has connections: one not given back would leave the next waiting.
    for (let round = 0; round < 6; round++) {
      await Promise.allSettled([200 + round, 1, 100 + round].map((id) => queryGrouped(ds, INSERT, [id, 'again'])));
    }

    expect(await ds.query("SELECT count(*)::int AS n FROM t WHERE v = 'again'")).toEqual([{ n: 12 }]);
  });
});
