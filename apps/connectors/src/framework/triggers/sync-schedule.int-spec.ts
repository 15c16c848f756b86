import { DataSource } from 'typeorm';
import { JsonLogger } from '@ripple/observability';
import { createTestDatabase, type TestDatabase } from '@ripple/testing';
import type { ConnectorRuns } from '../runs/connector-runs';
import { RunInProgressError } from '../runs/run.errors';
import { SyncSchedule } from './sync-schedule';

/**
 * The schedule on real PostgreSQL with a fake clock: every instance arms the
 * same cron, each slot starts exactly one run, and a slot that finds a run
 * still going is skipped (logged) rather than queued.
 */
/** Polls on real time (setImmediate and hrtime are not faked) while the database answers. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = process.hrtime.bigint() + 10_000_000_000n;
  while (!condition()) {
    if (process.hrtime.bigint() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('SyncSchedule (PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const logger = new JsonLogger('sync-schedule-itest', 'error');

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await new DataSource({ type: 'postgres', url: db.url }).initialize();
    await dataSource.query('CREATE SCHEMA connectors');
    await dataSource.query('CREATE TABLE connectors.schedule_slots (connector text NOT NULL, slot timestamptz NOT NULL, PRIMARY KEY (connector, slot))');
  });

  afterAll(async () => {
    jest.useRealTimers();
    await dataSource?.destroy();
    await db?.drop();
  });

  afterEach(() => jest.useRealTimers());

  it('starts one run per slot however many instances arm it', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: new Date('2026-11-22T10:00:30Z') });
    const started: string[] = [];
    const runs = { start: async (name: string, trigger: string) => (started.push(`${name}:${trigger}`), { id: `r${started.length}` }) } as unknown as ConnectorRuns;
    const instances = [1, 2, 3].map(() => new SyncSchedule(dataSource, runs, logger, 'nowrepblue', '* * * * *'));
    instances.forEach((s) => s.start());

    await jest.advanceTimersByTimeAsync(30_000); // 10:01:00
    await until(() => started.length === 1, 'the 10:01 run');
    await jest.advanceTimersByTimeAsync(60_000); // 10:02:00
    await until(() => started.length === 2, 'the 10:02 run');
    instances.forEach((s) => s.stop());

    expect(started).toEqual(['nowrepblue:schedule', 'nowrepblue:schedule']);
    const slots = await dataSource.query(`SELECT slot FROM connectors.schedule_slots WHERE connector = 'nowrepblue' ORDER BY slot`);
    expect(slots.map((r: { slot: Date }) => r.slot.toISOString())).toEqual(['2026-11-22T10:01:00.000Z', '2026-11-22T10:02:00.000Z']);
  });

  it('skips a slot while a run is still going, and fires again at the next', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: new Date('2026-11-22T11:00:59Z') });
    let attempts = 0;
    const runs = {
      start: async () => {
        attempts++;
        if (attempts === 1) throw new RunInProgressError('busy', 'r0');
        return { id: 'r1' };
      },
    } as unknown as ConnectorRuns;
    const schedule = new SyncSchedule(dataSource, runs, logger, 'other', '* * * * *');
    schedule.start();
    await jest.advanceTimersByTimeAsync(1_000);
    await until(() => attempts === 1, 'the first slot');
    await jest.advanceTimersByTimeAsync(60_000);
    await until(() => attempts === 2, 'the next slot');
    schedule.stop();
  });
});
