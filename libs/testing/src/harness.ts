import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Client } from 'pg';

/**
 * Test infrastructure: the PostgreSQL and NATS named by DATABASE_URL / NATS_URL
 * (CI and the dev machine), or containers started by testcontainers when those
 * are unset and a Docker engine exists. Each test run gets its own database and
 * stream namespace, removed afterwards.
 */
let containers: Promise<{ databaseUrl: string; natsUrl: string }> | undefined;

async function infrastructure(): Promise<{ databaseUrl: string; natsUrl: string }> {
  if (process.env.DATABASE_URL && process.env.NATS_URL) return { databaseUrl: process.env.DATABASE_URL, natsUrl: process.env.NATS_URL };
  containers ??= (async () => {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const { GenericContainer, Wait } = await import('testcontainers');
    const [pg, nats] = await Promise.all([
      process.env.DATABASE_URL ? undefined : new PostgreSqlContainer('postgres:15-alpine').start(),
      process.env.NATS_URL ? undefined : new GenericContainer('nats:2.10-alpine').withCommand(['-js']).withExposedPorts(4222).withWaitStrategy(Wait.forLogMessage(/Server is ready/)).start(),
    ]);
    return {
      databaseUrl: process.env.DATABASE_URL ?? pg!.getConnectionUri(),
      natsUrl: process.env.NATS_URL ?? `nats://${nats!.getHost()}:${nats!.getMappedPort(4222)}`,
    };
  })();
  return containers;
}

export const uniqueSuffix = () => `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the test server (or on `serverUrl`, e.g. a private server). */
export async function createTestDatabase(prefix = 'ripple_t', serverUrl?: string): Promise<TestDatabase> {
  const databaseUrl = serverUrl ?? (await infrastructure()).databaseUrl;
  const name = `${prefix}_${uniqueSuffix()}`;
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const c = new Client({ connectionString: databaseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function testNatsUrl(): Promise<string> {
  return (await infrastructure()).natsUrl;
}

/** A namespace for streams and subjects no other run uses. */
export const testNamespace = () => `t${uniqueSuffix()}`;

/** Deletes every stream of a namespace. */
export async function deleteNamespaceStreams(jsm: { streams: { names(): AsyncIterable<string> | { [Symbol.asyncIterator](): AsyncIterator<string> }; delete(name: string): Promise<boolean> } }, namespace: string): Promise<void> {
  const names: string[] = [];
  for await (const n of jsm.streams.names() as AsyncIterable<string>) if (n.startsWith(`${namespace}_`)) names.push(n);
  await Promise.all(names.map((n) => jsm.streams.delete(n)));
}

/** Polls until `probe` returns a value other than undefined/false, or fails with the last seen value. */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}

export async function freePort(): Promise<number> {
  const below = ephemeralPortsFrom();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = FIRST_FREE_PORT + Math.floor(Math.random() * (below - FIRST_FREE_PORT));
    if (handedOut.has(port)) continue;
    if (await bindable(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port found between ${FIRST_FREE_PORT} and ${below}`);
}

/**
 * Ports are drawn below the kernel's ephemeral range: a port the kernel picked for
 * `listen(0)` and that was closed again is free for the next outgoing connection
 * to take as its own local port, and with the many connections a test stack opens
 * while it starts, one did (a bench run's venues failed with EADDRINUSE). Nothing
 * takes a port from below that range unasked. Ports handed out by this process
 * are not handed out again.
 */
const FIRST_FREE_PORT = 15_000;
const handedOut = new Set<number>();

function ephemeralPortsFrom(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > FIRST_FREE_PORT + 1000 ? low : 32_768;
  } catch {
    return 32_768; // not Linux: its IANA default starts at 49152, so this stays below it too
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
