import { DataSource } from 'typeorm';
import { createTestDatabase, eventually, terminateLeaseHolders, type TestDatabase } from '@ripple/testing';
import { LeaderLease } from './leader-lease';
import { leaseKey } from './lease-key';

let db: TestDatabase;
let ds: DataSource;
const leases: LeaderLease[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  ds = new DataSource({ type: 'postgres', url: db.url, extra: { max: 2 } });
  await ds.initialize();
});

afterAll(async () => {
  await Promise.all(leases.map((l) => l.release()));
  await ds?.destroy();
  await db?.drop();
});

const waiters = async () =>
  (await ds.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`))[0].n as number;

function lease(name: string, onLost?: (err: Error) => void): LeaderLease {
  const l = new LeaderLease({ databaseUrl: db.url, key: leaseKey('projection-runner', name), onLost });
  leases.push(l);
  return l;
}

describe('LeaderLease', () => {
  it('has one holder at a time; a waiting holder takes over when the first one\'s connection is terminated, and the first learns it lost it', async () => {
    const lost: Error[] = [];
    const first = lease('takeover', (err) => lost.push(err));
    const second = lease('takeover');
    expect(await first.tryAcquire()).toBe(true);
    expect(first.isLeader).toBe(true);
    expect(await second.tryAcquire()).toBe(false);
    expect(second.isLeader).toBe(false);

    const waiting = second.acquire();
    await eventually(async () => (await waiters()) === 1, { what: 'the second holder to wait for the lock' });
    expect(await terminateLeaseHolders(ds, leaseKey('projection-runner', 'takeover'))).toBe(1);
    await waiting;
    expect(second.isLeader).toBe(true);
    await eventually(async () => lost.length === 1, { what: 'the first holder to hear it lost the lease' });
    expect(first.isLeader).toBe(false);

    // The first one tries again on a new connection, and finds the lease taken.
    expect(await first.tryAcquire()).toBe(false);
    expect(lost).toHaveLength(1);
  });

  it('lets go at release(), at once: the next try succeeds', async () => {
    const first = lease('release');
    const second = lease('release');
    expect(await first.tryAcquire()).toBe(true);
    expect(await second.tryAcquire()).toBe(false);
    await first.release();
    expect(first.isLeader).toBe(false);
    expect(await second.tryAcquire()).toBe(true);
    // Taken again after release on a fresh connection.
    await second.release();
    expect(await first.tryAcquire()).toBe(true);
  });

  it('keeps leases of different names and scopes apart, and never meets the one-key locks other code takes', async () => {
    const a = lease('apart');
    const b = new LeaderLease({ databaseUrl: db.url, key: leaseKey('outbox-relay', 'apart') });
    leases.push(b);
    const key = leaseKey('projection-runner', 'apart');
    // A one-key lock (the kind `pg_advisory_xact_lock(hashtext(...))` takes) on the very (classid, objid) of the lease.
    const qr = ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.query('SELECT pg_advisory_lock(($1::bigint << 32) | $2::bigint)', [key.classid, key.objid]);
      expect(await a.tryAcquire()).toBe(true);
      expect(await b.tryAcquire()).toBe(true);
    } finally {
      await qr.query('SELECT pg_advisory_unlock_all()');
      await qr.release();
    }
  });

  it('is released when acquire() is abandoned by release() while waiting', async () => {
    const holder = lease('abandon');
    const waiter = lease('abandon');
    expect(await holder.tryAcquire()).toBe(true);
    const waiting = waiter.acquire();
    await eventually(async () => (await waiters()) === 1, { what: 'the waiter to wait' });
    await waiter.release();
    await expect(waiting).rejects.toThrow();
    expect(waiter.isLeader).toBe(false);
    expect(holder.isLeader).toBe(true);
  });
});
