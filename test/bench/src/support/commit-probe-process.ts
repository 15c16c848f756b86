import { Client } from 'pg';

/**
 * The commit probe's own process (see CommitProbe): commits a one-row upsert every
 * EVERY_MS and, on 'stop', sends each commit's [start, end] in epoch milliseconds
 * (performance.timeOrigin + now(), comparable across processes) and exits.
 */
async function main() {
  const every = Number(process.env.EVERY_MS ?? 50);
  const db = new Client({ connectionString: process.env.DATABASE_URL, application_name: 'bench-commit-probe' });
  await db.connect();
  await db.query('CREATE TABLE IF NOT EXISTS public.bench_commit_probe (id int PRIMARY KEY, n bigint NOT NULL)');
  const commits: [number, number][] = [];
  let stopped = false;
  process.on('message', () => (stopped = true));
  // The bench was killed: nothing will ask for the figures.
  process.on('disconnect', () => process.exit(0));
  const clock = () => performance.timeOrigin + performance.now();
  const [{ pid }] = (await db.query('SELECT pg_backend_pid() AS pid')).rows;
  process.send!({ backendPid: pid });
  while (!stopped) {
    const from = clock();
    await db.query('INSERT INTO public.bench_commit_probe (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = bench_commit_probe.n + 1');
    commits.push([from, clock()]);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
  await db.end();
  process.send!(commits, () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`commit probe: ${(err as Error).message}\n`);
  process.exit(1);
});
