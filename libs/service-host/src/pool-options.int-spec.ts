import { Pool, type PoolClient } from 'pg';
import { createTestDatabase, eventually, type TestDatabase } from '@ripple/testing';
import { poolOptions } from './service-vars';

let db: TestDatabase;
const pools: Pool[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await db.drop();
});

/** Connections the server holds for the pool's application_name. */
async function serverConnections(name: string): Promise<number> {
  const probe = new Pool({ connectionString: db.url, max: 1 });
  try {
    const { rows } = await probe.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1', [name]);
    return rows[0].n;
  } finally {
    await probe.end();
  }
}

function appPool(app: string, config: Parameters<typeof poolOptions>[1]) {
  const options = poolOptions(app, config);
  const pool = new Pool({ connectionString: db.url, ...options });
  pools.push(pool);
  return { pool, name: options.application_name };
}

describe('an app pool', () => {
  it('keeps an idle connection for DATABASE_POOL_IDLE_MS, then closes it', async () => {
    // pg's own default (10 s) would keep all three past the end of this test (about 6.5 s).
    const { pool, name } = appPool('pool-spec', { DATABASE_POOL_IDLE_MS: 3000, DATABASE_POOL_MAX: 4 });
    const clients: PoolClient[] = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
    for (const c of clients) c.release();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await serverConnections(name)).toBe(3);
    await eventually(async () => (await serverConnections(name)) === 0, { timeoutMs: 6000, what: 'the idle connections closed' });
    expect(pool.totalCount).toBe(0);
  });

  it('opens at most DATABASE_POOL_MAX connections: a request beyond them waits for one to be released', async () => {
    const { pool, name } = appPool('pool-max-spec', { DATABASE_POOL_IDLE_MS: 600_000, DATABASE_POOL_MAX: 2 });
    const clients = await Promise.all([pool.connect(), pool.connect()]);
    try {
      let third: PoolClient | undefined;
      const waiting = pool.connect().then((c) => clients.push((third = c)));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(third).toBeUndefined();
      expect(await serverConnections(name)).toBe(2);
      clients.shift()!.release();
      await waiting;
      // The released connection served it: still two on the server.
      expect(await serverConnections(name)).toBe(2);
    } finally {
      // Released even when an expectation failed, or the pool's end would wait for them.
      for (const c of clients) c.release();
    }
  });
});
