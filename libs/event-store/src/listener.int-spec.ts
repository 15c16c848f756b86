import { DataSource } from 'typeorm';
import { JsonLogger } from '@ripple/observability';
import { createTestDatabase, eventually, type TestDatabase } from '@ripple/testing';
import { Listener } from './listener';

const logger = new JsonLogger('listener-itest', 'error');
let db: TestDatabase;
let ds: DataSource;
const listeners: Listener[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  ds = new DataSource({ type: 'postgres', url: db.url, extra: { max: 2 } });
  await ds.initialize();
});

afterAll(async () => {
  await Promise.all(listeners.map((l) => l.close()));
  await ds?.destroy();
  await db?.drop();
});

function listen(applicationName: string, reconnected?: () => void) {
  const heard: string[] = [];
  const listener = new Listener({ databaseUrl: db.url, applicationName, who: 'test listener', logger, reconnected, retryMs: 50 })
    .on('wake_a', (p) => heard.push(`a:${p}`))
    .on('wake_b', (p) => heard.push(`b:${p}`));
  listeners.push(listener);
  return { listener, heard };
}

const sessions = async (applicationName: string) =>
  (await ds.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [applicationName]))[0].n as number;

describe('Listener', () => {
  it('hands each channel its notifications, reconnects and LISTENs again after its connection is killed, and says so', async () => {
    let reconnects = 0;
    const { listener, heard } = listen('listener-itest-kill', () => reconnects++);
    await listener.start();
    expect(listener.listening).toBe(true);
    await ds.query(`NOTIFY wake_a, 'one'; NOTIFY wake_b, 'two'; NOTIFY wake_c, 'nobody'`);
    await eventually(async () => heard.length === 2, { what: 'both notifications' });
    expect(heard.sort()).toEqual(['a:one', 'b:two']);
    expect(reconnects).toBe(0);

    const [{ n }] = await ds.query(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1`, ['listener-itest-kill']);
    expect(n).toBe(1);
    await eventually(async () => reconnects === 1, { what: 'the reconnected callback' });
    expect(listener.listening).toBe(true);

    // Sent after the new connection LISTENs: heard on both channels again.
    await ds.query(`NOTIFY wake_a, 'three'; NOTIFY wake_b, 'four'`);
    await eventually(async () => heard.length === 4, { what: 'the notifications after the reconnection' });
    expect(heard.slice(2).sort()).toEqual(['a:three', 'b:four']);
    expect(await sessions('listener-itest-kill')).toBe(1);
  });

  it('keeps trying while PostgreSQL refuses it, and calls reconnected once it listens', async () => {
    let reconnects = 0;
    // No such database yet: every attempt is refused until it exists.
    const missing = `${db.name}_late`;
    const url = new URL(db.url);
    url.pathname = `/${missing}`;
    const heard: string[] = [];
    const listener = new Listener({ databaseUrl: url.toString(), applicationName: 'listener-itest-late', who: 'test listener', logger, reconnected: () => reconnects++, retryMs: 50 })
      .on('wake_a', (p) => heard.push(p));
    listeners.push(listener);
    await listener.start();
    expect(listener.listening).toBe(false);
    await ds.query(`CREATE DATABASE "${missing}"`);
    try {
      await eventually(async () => reconnects === 1, { what: 'the listener to connect once the database exists' });
      const late = new DataSource({ type: 'postgres', url: url.toString(), extra: { max: 1 } });
      await late.initialize();
      await late.query(`NOTIFY wake_a, 'late'`);
      await late.destroy();
      await eventually(async () => heard.includes('late'), { what: 'the notification' });
    } finally {
      await listener.close();
      await ds.query(`DROP DATABASE IF EXISTS "${missing}" WITH (FORCE)`);
    }
  });

  it('closes cleanly: its connection ends and it does not come back', async () => {
    let reconnects = 0;
    const { listener } = listen('listener-itest-close', () => reconnects++);
    await listener.start();
    expect(await sessions('listener-itest-close')).toBe(1);
    await listener.close();
    expect(listener.listening).toBe(false);
    await eventually(async () => (await sessions('listener-itest-close')) === 0, { what: 'the connection to end' });
    // Longer than its retry interval (50 ms): had it scheduled a reconnection, a session would be back.
    await new Promise((r) => setTimeout(r, 300));
    expect(await sessions('listener-itest-close')).toBe(0);
    expect(reconnects).toBe(0);
  });
});
