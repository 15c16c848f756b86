import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { notifyAfterCommit } from '@ripple/event-store';
import { JsonLogger } from '@ripple/observability';
import { createTestDatabase, eventually, type TestDatabase } from '@ripple/testing';
import { FeedNotifier, type FeedListener } from './feed-notifier';
import { FEED_CHANNEL } from './feed-sources';

/**
 * Gateway instances tell each other apart on the feed channel: a lone instance
 * hands its commits to its own hub and sends no notification; once a second
 * instance listens, both learn of each other and every commit is notified.
 */
let db: TestDatabase;
let ds: DataSource;
let observer: Client;
const heard: string[] = [];
const notifiers: FeedNotifier[] = [];
const logger = new JsonLogger('feed-notifier-itest', 'error');

const recording = () => {
  const calls: string[] = [];
  const listener: FeedListener = {
    wakeAll: () => calls.push('wakeAll'),
    announced: (upTo) => calls.push(`announced:${upTo}`),
    offer: (rows, previous) => calls.push(`offer:${previous}+${rows.length}`),
  };
  return { calls, listener };
};

const start = async (listener: FeedListener) => {
  const n = new FeedNotifier({ databaseUrl: db.url, pollMs: 60_000, logger }, listener);
  notifiers.push(n);
  await n.start();
  return n;
};

/** A feed commit of this process, as writeFeedBatch announces it (no transaction: at once). */
const commit = (upTo: number) => notifyAfterCommit(ds, FEED_CHANNEL, `profiles:${upTo}`, { previous: upTo - 1, upTo, rows: [] });

beforeAll(async () => {
  db = await createTestDatabase();
  ds = new DataSource({ type: 'postgres', url: db.url, extra: { max: 2 } });
  await ds.initialize();
  observer = new Client({ connectionString: db.url });
  await observer.connect();
  observer.on('notification', (n) => heard.push(n.payload ?? ''));
  await observer.query(`LISTEN ${FEED_CHANNEL}`);
});

afterAll(async () => {
  for (const n of notifiers) await n.stop();
  await observer?.end();
  await ds?.destroy();
  await db?.drop();
});

it('notifies its commits only once another instance listens, and each learns of the other', async () => {
  const a = recording();
  const first = await start(a.listener);
  await eventually(async () => heard.some((p) => p.startsWith('hello:')), { what: 'the first instance\'s hello' });
  expect(first.hasPeers).toBe(false);

  commit(1);
  expect(a.calls).toContain('offer:0+0');
  // A notification takes a round trip or two; none comes.
  await new Promise((r) => setTimeout(r, 500));
  expect(heard).not.toContain('profiles:1');

  const b = recording();
  const second = await start(b.listener);
  await eventually(async () => first.hasPeers && second.hasPeers, { what: 'both instances to know of each other' });
  expect(heard.filter((p) => /^(hello|here):/.test(p))).toHaveLength(3); // two hellos and the first's answer

  commit(2);
  await eventually(async () => heard.includes('profiles:2'), { what: 'the commit\'s notification' });
  await eventually(async () => b.calls.includes('announced:2') && a.calls.includes('announced:2'), { what: 'both instances to hear it' });
});
