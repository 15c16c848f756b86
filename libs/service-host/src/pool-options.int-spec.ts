import { Pool, type PoolClient } from 'pg';
import { createTestDatabase, eventually, type TestDatabase } from '@ripple/testing';
import { poolOptions } from './service-vars';

let db: TestDatabase;
let pool: Pool | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await pool?.end();
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

describe('an app pool', () => {
  it('keeps an idle connection for DATABASE_POOL_IDLE_MS, then closes it', async () => {
    // pg's own default (10 s) would keep all three past the end of this test (about 6.5 s).
    const options = poolOptions('pool-spec', { DATABASE_POOL_IDLE_MS: 3000 });
    pool = new Pool({ connectionString: db.url, ...options });
    const clients: PoolClient[] = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
    for (const c of clients) c.release();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await serverConnections(options.application_name)).toBe(3);
    await eventually(async () => (await serverConnections(options.application_name)) === 0, { timeoutMs: 6000, what: 'the idle connections closed' });
    expect(pool.totalCount).toBe(0);
  });
});
