/**
 * The fault suite: Ripple's apps against a nats-server and a PostgreSQL of the
 * suite's own (own ports and data directories), acknowledged writes through the
 * gateway while one fault at a time is injected; every acknowledged write must
 * reach every copy (profile, venue, SSE feed) once, with no human step.
 * `npm test` runs CI_FAULTS; `npm run faults` runs them all and records the table
 * in test/faults/results/latest.md.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPrivateNats, type PrivateNats } from '@ripple/testing';
import { CI_FAULTS, FAULTS } from './faults';
import { faultTable, runFault, type FaultReport } from './support/fault-run';
import { scratchDir, startPostgres, type PostgresServer } from './support/local-servers';

const all = process.env.RIPPLE_FAULTS === 'all';
const chosen = all ? FAULTS : FAULTS.filter((f) => CI_FAULTS.includes(f.name));
const reports: FaultReport[] = [];
let dir: string;
let pg: PostgresServer;
let single: PrivateNats;

beforeAll(async () => {
  dir = scratchDir('suite');
  pg = await startPostgres(scratchDir('pg'));
  single = await startPrivateNats({ dir: join(dir, 'nats') });
}, 120_000);

afterAll(async () => {
  await single?.stop();
  await pg?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (reports.length === 0) return;
  const table = faultTable(reports);
  process.stdout.write(`\nFault suite (${new Date().toISOString()}):\n${table}\n`);
  if (all && reports.length === FAULTS.length) {
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', 'latest.md'), `# Fault suite, ${new Date().toISOString()}\n\n${table}\n`);
  }
}, 60_000);

describe('fault suite: no acknowledged write lost, duplicated or changed, and every copy converges by itself', () => {
  it.each(chosen.map((f) => [f.name, f] as const))('%s', async (_name, fault) => {
    let nats = single;
    if (fault.topology === 'cluster') nats = await startPrivateNats({ dir: join(dir, `cluster-${Date.now()}`), nodes: 3 });
    try {
      const report = await runFault(fault, { nats, pg });
      reports.push(report);
      expect(report).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
      expect(report.acknowledged).toBeGreaterThan(0);
      expect(report.convergeMs).toBeDefined();
    } finally {
      if (nats !== single) await nats.stop();
    }
  }, 420_000);
});
