#!/usr/bin/env node
/**
 * What one profile update costs each process: CPU, time runnable but waiting
 * for a core (run-queue wait, from each thread's schedstat), the kernel's share of the CPU, voluntary wake-ups
 * and socket writes and reads per update, for every app, nats-server and the
 * PostgreSQL backends grouped by application_name (each service's pool, its
 * LISTEN connection, its leases). Starts the compiled apps as the bench does
 * (fresh database and stream namespace), signs up OWNERS venue owners with an
 * SSE client each, warms up for 5 s, then sends RATE PUT /api/users/profile a
 * second for SECONDS, open loop, and reads /proc before and after.
 *
 * On this VM a loopback write wakes its receiver and that wake-up is the
 * expensive part, so writes per update is the figure to cut (it is how the
 * sixth session found the round trips worth saving). Noisy: compare runs of
 * the same hour, alternated. The writes and reads are /proc/<pid>/io's syscw and
 * syscr, every write(2) and read(2) of the process, sockets or not: a Node app
 * also writes to its event loop's eventfd each time V8 posts it a task, which it
 * does in bursts during a garbage collection (strace, the thirty-sixth session:
 * venues at rest, 1,408 such 8-byte writes in 1.5 s, about one write a second
 * besides). Under load the sockets are nearly all of it; at rest (RATE=0), a
 * collection in the window can be most of the column.
 *
 * Run after `npm run build`: RATE=50 SECONDS=20 OWNERS=20 node test/bench/per-process-cost.js
 * RATE=0 measures the stack at rest instead (no warm-up, no load): the same figures per second
 * of SECONDS of silence, with the SSE clients open. At low rates that is part of every update's
 * cost (at 10/s, a tenth of it per update), and on a laptop it is what an idle stack drains.
 * NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof/{app}" adds the apps' CPU profiles.
 *
 * It also prints the WAL written and flushed per update (pg_stat_wal, the whole server): a
 * commit waits for its flush, and commits that queue behind one flush share the next.
 *
 * Given a PostgreSQL that loads pg_stat_statements, it also prints the statements
 * of the window per update. A private one on port 5439, for instance:
 *   su postgres -c "/usr/lib/postgresql/15/bin/initdb -D /tmp/pgx -A trust -U postgres"
 *   su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D /tmp/pgx -l /tmp/pgx.log -o '-p 5439 -k /tmp -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c track_wal_io_timing=on -c max_connections=200' start"
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5439/postgres RATE=100 node test/bench/per-process-cost.js
 */
const { readFileSync, readdirSync } = require('node:fs');
require('./compile');
require('./dist/support/env');
const { Client } = require('pg');
const { startBenchRipple } = require('./dist/support/ripple');
const { signUpOwners, httpJson, openEventSource } = require('./dist/support/http');
const { openLoop } = require('./dist/support/load');
const { pidsByComm } = require('./dist/support/resources');

const RATE = Number(process.env.RATE ?? 50);
const SECONDS = Number(process.env.SECONDS ?? 20);
const OWNERS = Number(process.env.OWNERS ?? 20);
const CLK_TCK = 100;
const AT_REST = RATE === 0;
/** What the figures are divided by: the updates sent, or at rest the seconds. */
const UNIT = AT_REST ? 'second' : 'update';

/** CPU ticks, voluntary switches (summed over threads) and write/read syscalls of a process; undefined once it is gone. */
function sample(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let wakes = 0;
    let waitNs = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        wakes += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))[1]);
        // schedstat: time on a core, time runnable but waiting for one (ns), timeslices.
        waitNs += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
      } catch {
        /* thread gone */
      }
    }
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    return { ticks: Number(fields[11]) + Number(fields[12]), sysTicks: Number(fields[12]), wakes, waitNs, writes: Number(/syscw: (\d+)/.exec(io)[1]), reads: Number(/syscr: (\d+)/.exec(io)[1]) };
  } catch {
    return undefined;
  }
}

async function groups(ripple, db) {
  const out = new Map(Object.entries(ripple.pids).map(([app, pid]) => [app, [pid]]));
  out.set('nats-server', pidsByComm('nats-server'));
  const { rows } = await db.query('SELECT pid, application_name, backend_type FROM pg_stat_activity WHERE datname = current_database() OR datname IS NULL');
  for (const r of rows) {
    const key = `postgres: ${r.application_name || r.backend_type}`;
    out.set(key, [...(out.get(key) ?? []), r.pid]);
  }
  return out;
}

/**
 * Where the database server has pg_stat_statements loaded (shared_preload_libraries: not
 * so on this machine's shared PostgreSQL; see the header for a private one that has it),
 * its counts are reset here, at the measured window's start. False where it is not loaded.
 */
async function resetStatements(db) {
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await db.query('SELECT pg_stat_statements_reset()');
    return true;
  } catch {
    return false;
  }
}

/**
 * The server's WAL counters (pg_stat_wal: the whole server, so run nothing else beside it).
 * Its sync time counts only where track_wal_io_timing is on (a private server, as in the header).
 */
async function walStats(db) {
  const { rows: [w] } = await db.query(
    "SELECT wal_records, wal_bytes, wal_sync, wal_sync_time, current_setting('track_wal_io_timing')::bool AS timed FROM pg_stat_wal",
  );
  return w;
}

/** WAL records, bytes and flushes (each a commit's wait for the disk, shared by the commits that queue behind it) per UNIT. */
function printWal(a, b, units) {
  const syncs = Number(b.wal_sync) - Number(a.wal_sync);
  const each = b.timed && syncs > 0 ? `, ${((b.wal_sync_time - a.wal_sync_time) / syncs).toFixed(2)} ms each` : '';
  console.log(
    `\nWAL per ${UNIT} (the whole server): ${((Number(b.wal_records) - Number(a.wal_records)) / units).toFixed(1)} records, ` +
      `${Math.round((Number(b.wal_bytes) - Number(a.wal_bytes)) / units)} bytes, ${(syncs / units).toFixed(2)} flushes${each}`,
  );
}

/** The window's statements (every role, this database): calls per UNIT and mean time, most called first. */
async function printStatements(db, units) {
  const { rows } = await db.query(
    `SELECT s.calls, s.total_exec_time, s.query FROM pg_stat_statements s
     WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND s.query NOT LIKE '%pg_stat_statements%' ORDER BY s.calls DESC`,
  );
  const calls = rows.reduce((n, r) => n + Number(r.calls), 0);
  console.log(`\nstatements per ${UNIT} (pg_stat_statements, every role): ${(calls / units).toFixed(1)}`);
  console.log(`${'calls'.padStart(7)} ${'ms each'.padStart(8)}  statement`);
  for (const r of rows) {
    if (Number(r.calls) / units < 0.02) continue;
    console.log(`${(Number(r.calls) / units).toFixed(2).padStart(7)} ${(r.total_exec_time / Number(r.calls)).toFixed(3).padStart(8)}  ${r.query.replace(/\s+/g, ' ').slice(0, 150)}`);
  }
}

(async () => {
  const ripple = await startBenchRipple(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', {}, (process.env.NODE_ARGS ?? '').split(' ').filter(Boolean));
  const db = new Client({ connectionString: ripple.db.url });
  await db.connect();
  const closers = [];
  try {
    const owners = await signUpOwners(ripple.url, db, OWNERS);
    let delivered = 0;
    for (const o of owners) {
      closers.push((await openEventSource(`${ripple.url}/api/sync/events`, o.token, (m) => m.type === 'data_change' && m.eventType === 'VenueSynced' && delivered++)).close);
    }
    const put = (tag) => async (i) => {
      await httpJson('PUT', `${ripple.url}/api/users/profile`, { profileInfo: { venueDescription: `${tag}${i}` } }, { authorization: `Bearer ${owners[i % OWNERS].token}` });
    };
    if (!AT_REST) await openLoop(RATE, 5, put('warm-up '));
    await new Promise((r) => setTimeout(r, AT_REST ? 5000 : 2000));
    const measured = await groups(ripple, db);
    const before = new Map([...measured].map(([k, pids]) => [k, pids.map(sample)]));
    const statements = await resetStatements(db);
    const walBefore = await walStats(db);
    delivered = 0;
    let load;
    if (AT_REST) await new Promise((r) => setTimeout(r, SECONDS * 1000));
    else {
      load = await openLoop(RATE, SECONDS, put('m'));
      await new Promise((r) => setTimeout(r, 1500));
    }
    const units = load ? load.sent : SECONDS;
    const walAfter = await walStats(db);
    const rows = [...measured].map(([name, pids]) => {
      const sum = { cpuMs: 0, sysMs: 0, waitMs: 0, wakes: 0, writes: 0, reads: 0 };
      pids.forEach((pid, i) => {
        const a = sample(pid);
        const b = before.get(name)[i];
        if (!a || !b) return;
        sum.cpuMs += ((a.ticks - b.ticks) * 1000) / CLK_TCK;
        sum.sysMs += ((a.sysTicks - b.sysTicks) * 1000) / CLK_TCK;
        sum.waitMs += (a.waitNs - b.waitNs) / 1e6;
        sum.wakes += a.wakes - b.wakes;
        sum.writes += a.writes - b.writes;
        sum.reads += a.reads - b.reads;
      });
      const per = (v) => v / units;
      return { name, processes: pids.length, cpuMs: per(sum.cpuMs), sysShare: sum.cpuMs ? sum.sysMs / sum.cpuMs : 0, waitMs: per(sum.waitMs), wakes: per(sum.wakes), writes: per(sum.writes), reads: per(sum.reads) };
    }).sort((x, y) => y.cpuMs - x.cpuMs);
    console.log(!load
      ? `at rest for ${SECONDS} s, ${OWNERS} SSE clients open`
      : `${RATE} updates/s for ${SECONDS} s: ${load.sent} sent, ${load.errors} failed, ${delivered} venue changes reached their SSE client${load.errors ? ` (failures: ${JSON.stringify(load.errorKinds)})` : ''}`);
    console.log(`per ${UNIT} (PostgreSQL backends count no socket writes here: they send(), which /proc/<pid>/io does not count)`);
    console.log(`${'process'.padEnd(40)} ${'n'.padStart(3)} ${'CPU ms'.padStart(8)} ${'kernel'.padStart(7)} ${'queue ms'.padStart(9)} ${'wake-ups'.padStart(9)} ${'writes'.padStart(7)} ${'reads'.padStart(7)}`);
    const total = { cpuMs: 0, waitMs: 0, wakes: 0 };
    for (const r of rows) {
      total.cpuMs += r.cpuMs;
      total.waitMs += r.waitMs;
      total.wakes += r.wakes;
      if (r.cpuMs < 0.05 && r.wakes < 0.2) continue;
      console.log(`${r.name.padEnd(40)} ${String(r.processes).padStart(3)} ${r.cpuMs.toFixed(2).padStart(8)} ${`${Math.round(r.sysShare * 100)}%`.padStart(7)} ${r.waitMs.toFixed(2).padStart(9)} ${r.wakes.toFixed(1).padStart(9)} ${r.writes.toFixed(1).padStart(7)} ${r.reads.toFixed(1).padStart(7)}`);
    }
    console.log(`${'all'.padEnd(40)} ${''.padStart(3)} ${total.cpuMs.toFixed(2).padStart(8)} ${''.padStart(7)} ${total.waitMs.toFixed(2).padStart(9)} ${total.wakes.toFixed(1).padStart(9)}`);
    printWal(walBefore, walAfter, units);
    if (statements) await printStatements(db, units);
  } finally {
    for (const close of closers) close();
    await db.end();
    await ripple.stop();
  }
  process.exit(0);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
