import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createTestDatabase, eventually, type TestDatabase } from '@ripple/testing';
import { notifyAfterCommit, wakeLocally } from './notify-after-commit';

let db: TestDatabase;
let ds: DataSource;
let listener: Client;
const heard: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  ds = new DataSource({ type: 'postgres', url: db.url, extra: { max: 4 } });
  await ds.initialize();
  await ds.query('CREATE TABLE t (i int)');
  listener = new Client({ connectionString: db.url });
  await listener.connect();
  listener.on('notification', (n) => heard.push(`${n.channel}:${n.payload}`));
  await listener.query('LISTEN wake_a');
  await listener.query('LISTEN wake_b');
});

afterAll(async () => {
  await listener?.end();
  await ds?.destroy();
  await db?.drop();
});

beforeEach(() => heard.splice(0));

describe('notifyAfterCommit', () => {
  it('wakes listeners only once the transaction has committed, once per channel', async () => {
    const qr = ds.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    await qr.manager.query('INSERT INTO t VALUES (1)');
    notifyAfterCommit(qr.manager, 'wake_a', '1');
    notifyAfterCommit(qr.manager, 'wake_a', '2');
    notifyAfterCommit(qr.manager, 'wake_b', "it's");
    // A listener woken now would find nothing new: it must not be woken yet.
    await listener.query('SELECT 1');
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).toEqual([]);
    await qr.commitTransaction();
    await qr.release();
    await eventually(async () => heard.length === 2, { what: 'the notifications' });
    expect(heard.sort()).toEqual(['wake_a:2', "wake_b:it's"]);
  });

  it('sends nothing for a transaction rolled back, and at once outside a transaction', async () => {
    await ds
      .transaction(async (tx) => {
        notifyAfterCommit(tx, 'wake_a', 'rolled back');
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await ds.transaction(async (tx) => notifyAfterCommit(tx, 'wake_a', 'committed'));
    notifyAfterCommit(ds, 'wake_b', 'now');
    await eventually(async () => heard.includes('wake_b:now') && heard.includes('wake_a:committed'), { what: 'the notifications' });
    await listener.query('SELECT 1');
    expect(heard).not.toContain('wake_a:rolled back');
  });

  it('lets a listener in this process take the wake-up instead, and sends the NOTIFY when it declines', async () => {
    let taken = 0;
    const undo = wakeLocally('wake_a', () => ++taken > 0);
    const declining = wakeLocally('wake_b', () => false);
    try {
      await ds.transaction(async (tx) => notifyAfterCommit(tx, 'wake_a', 'local'));
      notifyAfterCommit(ds, 'wake_b', 'declined');
      await eventually(async () => heard.includes('wake_b:declined'), { what: 'the declined wake-up, by NOTIFY' });
      await listener.query('SELECT 1');
      expect(taken).toBe(1);
      expect(heard).not.toContain('wake_a:local');
    } finally {
      undo();
      declining();
    }
  });
});
