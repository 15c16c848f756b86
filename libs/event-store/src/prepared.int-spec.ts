import { DataSource, QueryFailedError } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@ripple/testing';
import { queryPrepared } from './prepared';

let db: TestDatabase;
let ds: DataSource;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = new DataSource({ type: 'postgres', url: db.url, extra: { max: 2 } });
  await ds.initialize();
  await ds.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const prepared = (tx: { query: DataSource['query'] }) =>
  tx.query("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO t %'");

describe('queryPrepared', () => {
  it('prepares a statement once per connection and runs it in the caller\'s transaction', async () => {
    await ds.transaction(async (tx) => {
      for (let i = 1; i <= 3; i++) expect(await queryPrepared(tx, 'INSERT INTO t (id, v) VALUES ($1, $2) RETURNING id', [i, `v${i}`])).toEqual([{ id: i }]);
      expect(await prepared(tx)).toEqual([{ n: 1 }]);
      expect(await tx.query('SELECT count(*)::int AS n FROM t')).toEqual([{ n: 3 }]);
      throw new Error('roll back');
    }).catch((err) => expect((err as Error).message).toBe('roll back'));

    expect(await ds.query('SELECT count(*)::int AS n FROM t')).toEqual([{ n: 0 }]);
  });

  it('on a DataSource, borrows a pooled connection and gives it back', async () => {
    // More calls than the pool has connections: one not given back would leave the next waiting.
    for (let i = 10; i < 20; i++) await queryPrepared(ds, 'INSERT INTO t (id, v) VALUES ($1, $2) RETURNING id', [i, 'x']);

    expect(await ds.query('SELECT count(*)::int AS n FROM t WHERE v = $1', ['x'])).toEqual([{ n: 10 }]);
  });

  it('fails as query does: a QueryFailedError carrying the constraint', async () => {
    const err = await queryPrepared(ds, 'INSERT INTO t (id, v) VALUES ($1, $2) RETURNING id', [10, 'again']).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(QueryFailedError);
    expect(err).toMatchObject({ constraint: 't_pkey', code: '23505' });
  });
});
