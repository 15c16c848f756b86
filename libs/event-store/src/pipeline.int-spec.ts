import { Client } from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@ripple/testing';
import { queryPipelined, queryWithoutFlush } from './pipeline';

let db: TestDatabase;
let client: Client;

beforeAll(async () => {
  db = await createTestDatabase();
  client = new Client({ connectionString: db.url });
  await client.connect();
  await client.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

const preparedHere = async (like: string) =>
  (await client.query("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'ripple_pl_%' AND statement LIKE $1", [like])).rows[0].n;

describe('queryPipelined', () => {
  it('runs the statements in order, each with its values bound, and gives each one\'s rows', async () => {
    const awkward = [`it's`, 'back\\slash', '"quoted"', 'comma, {brace}', 'NULL', '', 'ünïcödé'];
    const text = 'SELECT $1::text[] AS a, $2::text AS s, $3::int[] AS n, $4::jsonb AS j, $5::text AS nothing, $6::timestamptz AS t';
    const values = [awkward, awkward[0], [1, -2, 3], { k: `v'"\\` }, null, new Date('2026-12-01T10:00:00.123Z')];

    const rows = await queryPipelined(client, [
      { text: 'START TRANSACTION' },
      { text: 'INSERT INTO t (id, v) VALUES ($1, $2)', values: [1, 'one'] },
      { text: 'SELECT v FROM t WHERE id = $1', values: [1] },
      { text },
      { text: 'COMMIT' },
    ].map((s) => (s.text === text ? { text, values } : s)));

    expect(rows).toHaveLength(5);
    expect(rows[2]).toEqual([{ v: 'one' }]);
    expect(rows[3]).toEqual((await client.query(text, values)).rows);
    expect(rows[3][0].a).toEqual(awkward);
    expect((await client.query('SELECT v FROM t WHERE id = 1')).rows).toEqual([{ v: 'one' }]);
  });

  it('prepares each text once per connection', async () => {
    for (let i = 10; i < 13; i++) await queryPipelined(client, [{ text: 'INSERT INTO t (id, v) VALUES ($1, $2)', values: [i, 'again'] }, { text: 'SELECT 1 AS one' }]);

    expect(await preparedHere('INSERT INTO t %')).toBe(1);
    expect((await client.query("SELECT count(*)::int AS n FROM t WHERE v = 'again'")).rows).toEqual([{ n: 3 }]);
  });

  it('stops at an error and rejects with it; the transaction is left for the caller to roll back, and the same statements run again', async () => {
    const batch = (id: number) => [
      { text: 'START TRANSACTION' },
      { text: 'UPDATE t SET v = $2 WHERE id = $1', values: [1, 'changed'] },
      // Parsed for the first time in this pipeline, before the error: it must not be parsed twice later.
      { text: 'SELECT $1::int + 100 AS later', values: [id] },
      { text: 'INSERT INTO t (id, v) VALUES ($1, $2)', values: [id, 'dup'] },
      { text: 'COMMIT' },
    ];

    await expect(queryPipelined(client, batch(1))).rejects.toMatchObject({ code: '23505', constraint: 't_pkey' });
    // The rest was skipped, COMMIT included: the transaction is open and failed.
    await expect(client.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
    await client.query('ROLLBACK');
    expect((await client.query('SELECT v FROM t WHERE id = 1')).rows).toEqual([{ v: 'one' }]);

    const rows = await queryPipelined(client, batch(2));
    expect(rows[2]).toEqual([{ later: 102 }]);
    expect((await client.query('SELECT v FROM t WHERE id IN (1, 2) ORDER BY id')).rows).toEqual([{ v: 'changed' }, { v: 'dup' }]);
  });

  it('prepares its statements again once something deallocated them on the connection: one pipeline fails, the next ones run', async () => {
    const batch = [{ text: 'SELECT $1::int * 7 AS seven', values: [1] }];
    expect(await queryPipelined(client, batch)).toEqual([[{ seven: 7 }]]);
    await client.query('DEALLOCATE ALL');
    await expect(queryPipelined(client, batch)).rejects.toMatchObject({ code: '26000' });
    expect(await queryPipelined(client, batch)).toEqual([[{ seven: 7 }]]);
    expect(await queryPipelined(client, batch)).toEqual([[{ seven: 7 }]]);
  });

  it('refuses a value it cannot send without sending anything', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(queryPipelined(client, [{ text: 'INSERT INTO t (id, v) VALUES ($1, $2::jsonb::text)', values: [99, cyclic] }])).rejects.toThrow(/circular/i);
    expect((await client.query('SELECT count(*)::int AS n FROM t WHERE id = 99')).rows).toEqual([{ n: 0 }]);
    expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });
});

describe('queryWithoutFlush', () => {
  // One connection: whatever the helper leaves on it, the next statement sees.
  let ds: DataSource;
  beforeAll(async () => {
    ds = new DataSource({ type: 'postgres', url: db.url, extra: { max: 1 } });
    await ds.initialize();
    await ds.query('CREATE TABLE marks (id int PRIMARY KEY)');
  });
  afterAll(() => ds?.destroy());

  const setting = async () => (await ds.query("SELECT current_setting('synchronous_commit') AS s"))[0].s;

  it('commits its statement without waiting for the WAL flush, in a transaction of its own, and leaves the connection as the server has it', async () => {
    expect(await setting()).toBe('on');
    // Read in the statement's own transaction: what its commit goes by.
    expect(await queryWithoutFlush(ds, "SELECT current_setting('synchronous_commit') AS s", [])).toEqual([{ s: 'off' }]);
    expect(await setting()).toBe('on');

    expect(await queryWithoutFlush(ds, 'INSERT INTO marks (id) SELECT unnest($1::int[]) RETURNING id', [[1, 2]])).toEqual([{ id: 1 }, { id: 2 }]);
    // Committed: another connection sees it.
    expect((await client.query('SELECT count(*)::int AS n FROM marks')).rows).toEqual([{ n: 2 }]);
    expect(await setting()).toBe('on');
  });

  it('rolls back a statement that fails, rejects with QueryFailedError, and leaves the connection usable and as it was', async () => {
    const failed = queryWithoutFlush(ds, 'INSERT INTO marks (id) SELECT unnest($1::int[])', [[3, 1]]);
    await expect(failed).rejects.toBeInstanceOf(QueryFailedError);
    await expect(failed).rejects.toMatchObject({ driverError: { code: '23505' } });
    expect((await client.query('SELECT count(*)::int AS n FROM marks WHERE id = 3')).rows).toEqual([{ n: 0 }]);
    expect(await setting()).toBe('on');
  });
});
