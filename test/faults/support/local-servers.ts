import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { eventually, freePort } from '@ripple/testing';

/**
 * The fault suite's own nats-server and PostgreSQL: its own processes, ports and
 * data directories (never the shared servers), so it may kill, pause and wipe them.
 */
const NATS_SERVER = '/usr/sbin/nats-server';
const PG_BIN = '/usr/lib/postgresql/15/bin';

export function scratchDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `ripple-faults-${name}-`));
}

export interface NatsNode {
  name: string;
  url: string;
  storeDir: string;
  running(): boolean;
  start(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Kill, delete its store, start empty. */
  wipe(): Promise<void>;
}

export interface NatsServers {
  /** The first node's URL: what the apps are given (clients learn the other nodes from it). */
  url: string;
  nodes: NatsNode[];
  stop(): Promise<void>;
}

/** One nats-server with JetStream, or a cluster of `nodes` on loopback. */
export async function startNats(dir: string, nodes: 1 | 3 = 1): Promise<NatsServers> {
  const ports = await Promise.all(Array.from({ length: nodes }, async () => ({ client: await freePort(), cluster: await freePort(), http: await freePort() })));
  const all = ports.map((p, i): NatsNode => {
    const name = `n${i + 1}`;
    const storeDir = join(dir, name, 'store');
    const conf = join(dir, name, 'nats.conf');
    mkdirSync(join(dir, name), { recursive: true });
    const routes = ports.filter((_, j) => j !== i).map((o) => `nats-route://127.0.0.1:${o.cluster}`);
    writeFileSync(conf, [
      `server_name: ${name}`,
      `listen: 127.0.0.1:${p.client}`,
      `http: 127.0.0.1:${p.http}`,
      `jetstream { store_dir: "${storeDir}" }`,
      ...(nodes > 1 ? [`cluster { name: ripple-faults, listen: 127.0.0.1:${p.cluster}, routes: [${routes.join(', ')}] }`] : []),
    ].join('\n'));
    let child: ChildProcess | undefined;
    const node: NatsNode = {
      name,
      url: `nats://127.0.0.1:${p.client}`,
      storeDir,
      running: () => !!child && child.exitCode === null && child.signalCode === null,
      start: async () => {
        child = spawn(NATS_SERVER, ['-c', conf], { stdio: 'ignore' });
        await eventually(async () => (await fetch(`http://127.0.0.1:${p.http}/healthz`)).ok, { timeoutMs: 30_000, intervalMs: 100, what: `nats-server ${name} to be ready` });
      },
      kill: async (signal = 'SIGKILL') => {
        if (!node.running()) return;
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child!.kill(signal);
        await exited;
      },
      wipe: async () => {
        await node.kill();
        rmSync(storeDir, { recursive: true, force: true });
        await node.start();
      },
    };
    return node;
  });
  // Cluster nodes wait for each other: start them together.
  await Promise.all(all.map((n) => n.start()));
  return { url: all[0].url, nodes: all, stop: async () => void (await Promise.all(all.map((n) => n.kill('SIGTERM')))) };
}

export interface PostgresServer {
  /** Server URL (database `postgres`). */
  url: string;
  /** `pg_ctl stop -m immediate`: no shutdown checkpoint, as after a crash. */
  stopImmediate(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** A PostgreSQL 15 cluster of its own (initdb into `dir`), run as the postgres user when we are root (initdb refuses root). */
export async function startPostgres(dir: string): Promise<PostgresServer> {
  const port = await freePort();
  const data = join(dir, 'pgdata');
  const asUser = process.getuid?.() === 0 ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : {};
  if ('uid' in asUser) chownSync(dir, asUser.uid!, asUser.gid!);
  const run = (bin: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(join(PG_BIN, bin), args, { ...asUser, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (c) => (err += c));
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${bin} exited with ${code}: ${err}`))));
    });
  await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const start = async () => {
    await run('pg_ctl', ['-D', data, '-l', join(dir, 'postgres.log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300`, 'start']);
    await eventually(async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.end();
      return true;
    }, { timeoutMs: 30_000, what: 'PostgreSQL to accept connections' });
  };
  await start();
  return {
    url,
    start,
    stopImmediate: () => run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']),
    destroy: async () => {
      await run('pg_ctl', ['-D', data, '-m', 'fast', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
