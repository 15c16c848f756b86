import { Client } from 'pg';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres';

let pg: PrivatePostgres;

beforeAll(async () => {
  pg = await startPrivatePostgres();
}, 60_000);

afterAll(async () => {
  await pg?.destroy();
});

const select1 = async () => {
  const c = new Client({ connectionString: pg.url });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return (await c.query('SELECT 1 AS one')).rows[0].one;
  } finally {
    await c.end().catch(() => undefined);
  }
};

it('serves on its own port, refuses connections once stopped, and serves again once started', async () => {
  expect(await select1()).toBe(1);

  await pg.stop('immediate');
  await expect(select1()).rejects.toMatchObject({ code: 'ECONNREFUSED' });

  await pg.start();
  expect(await select1()).toBe(1);
});
