import { spawn, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { eventually, freePort } from '@ripple/testing';

/**
 * The fault suite's own PostgreSQL: its own process, port and data directory
 * (never the shared server), so it may stop it. Its nats-servers are
 * startPrivateNats' (@ripple/testing).
 */
const PG_BIN = '/usr/lib/postgresql/15/bin';

export function scratchDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `ripple-faults-${name}-`));
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
