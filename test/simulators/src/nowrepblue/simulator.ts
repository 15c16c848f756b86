import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { json, readJson, sleep } from '../http/json-http';
import { ChangeLog } from './change-log';
import { ENTITY_PATHS, generateDataset, recordCount, type CatalogGenerator, type Dataset, type EntityPath } from './dataset';
import { FaultBook, validFaultRule, type FaultRule } from './faults';
import { mutateDataset, type Mutation, type MutationResult } from './mutations';

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /** Dataset size, in talents (about 19 upstream records each). */
  talents: number;
  seed?: number;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  maxPerPage?: number;
}

export interface RunningSimulator {
  /** The API base URL (what the connector's config points at). */
  url: string;
  /** The control endpoints' base URL (`/__sim`). */
  controlUrl: string;
  data: Dataset;
  faults: FaultBook;
  requests: Record<string, number>;
  changes: ChangeLog;
  mutate(m: Mutation): MutationResult;
  recordCount(): number;
  stop(): Promise<void>;
}

/**
 * A stand-in for NowRepBlue: paged JSON lists for every entity under /v1,
 * deterministic data for a seed, mutations between imports and injectable faults
 * (over HTTP at /__sim for the standalone process, or through the returned object).
 * Every page says `meta.cursor` (the current revision); `?changed_since=<cursor>`
 * lists only what changed after it, removed records as `{ <key>, deleted: true }`.
 */
export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const { data, generator } = generateDataset(opts.talents, opts.seed ?? 42);
  const faults = new FaultBook();
  const requests: Record<string, number> = {};
  const changes = new ChangeLog();
  const state = { data, generator, faults, requests, changes, opts };
  const server = createServer((req, res) => void handle(state, req, res).catch((err) => json(res, 500, { error: String(err) })));
  // Held-back responses must not keep the process alive at shutdown.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const { port, address } = server.address() as AddressInfo;
  const base = `http://${address}:${port}`;
  return {
    url: `${base}/v1`, controlUrl: `${base}/__sim`, data, faults, requests, changes,
    mutate: (m) => changes.track(data, () => mutateDataset(data, generator, m)),
    recordCount: () => recordCount(data),
    stop: () => close(server),
  };
}

interface State {
  data: Dataset;
  generator: CatalogGenerator;
  faults: FaultBook;
  requests: Record<string, number>;
  changes: ChangeLog;
  opts: SimulatorOptions;
}

async function handle(s: State, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim');
  if (url.pathname.startsWith('/__sim/')) return control(s, url.pathname.slice(7), req, res);
  const m = /^\/v1\/([a-z-]+)$/.exec(url.pathname);
  if (req.method !== 'GET' || !m || !(ENTITY_PATHS as readonly string[]).includes(m[1])) return json(res, 404, { error: 'not found' });
  const entity = m[1] as EntityPath;
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
  const perPage = Math.min(s.opts.maxPerPage ?? 5000, Math.max(1, Number(url.searchParams.get('per_page') ?? 100) || 100));
  s.requests[entity] = (s.requests[entity] ?? 0) + 1;
  if (s.opts.apiKey && req.headers.authorization !== `Bearer ${s.opts.apiKey}`) return json(res, 401, { error: 'invalid api key' });
  const since = url.searchParams.get('changed_since');
  if (since !== null && !/^\d{1,15}$/.test(since)) return json(res, 400, { error: 'changed_since must be a cursor from meta.cursor' });
  const fault = s.faults.take(entity, page);
  if (s.faults.latencyMs) await sleep(s.faults.latencyMs);
  const all = since === null ? s.data[entity] : s.changes.since(s.data, entity, Number(since));
  const rows = all.slice((page - 1) * perPage, page * perPage);
  const body = { data: rows, meta: { page, perPage, total: all.length, totalPages: Math.max(1, Math.ceil(all.length / perPage)), cursor: String(s.changes.revision) } };
  if (!fault) return json(res, 200, body);
  return applyFault(fault, body, res);
}

async function applyFault(f: FaultRule, body: { data: Record<string, unknown>[]; meta: unknown }, res: ServerResponse): Promise<void> {
  switch (f.kind) {
    case 'latency':
      await sleep(f.delayMs ?? 200);
      return json(res, 200, body);
    case 'rate_limit':
      res.setHeader('retry-after', String(f.retryAfterSeconds ?? 1));
      return json(res, 429, { error: 'too many requests' });
    case 'server_error':
      return json(res, 500, { error: 'internal server error' });
    case 'unauthorized':
      return json(res, 401, { error: 'invalid api key' });
    case 'disconnect':
      // The connection drops with no answer: what a client sees of an upstream that is down.
      return void res.socket?.destroy();
    case 'timeout':
      // Hold the response longer than any sane client timeout; the client gives up first.
      await sleep(f.delayMs ?? 30_000, res);
      if (!res.destroyed) json(res, 200, body);
      return;
    case 'malformed': {
      // The first record loses its id and gets a wrongly typed field: what a buggy upstream deploy looks like.
      const [first, ...rest] = body.data;
      const { id: _id, ...broken } = first ?? {};
      return json(res, 200, { ...body, data: first ? [{ ...broken, position: 'first' }, ...rest] : rest });
    }
    default: {
      const never: never = f.kind;
      return never;
    }
  }
}

async function control(s: State, action: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = req.method === 'POST' ? await readJson(req) : undefined;
  if (action === 'faults' && req.method === 'POST') {
    const b = body as { rules?: unknown[]; latencyMs?: number };
    if (!Array.isArray(b?.rules) || !b.rules.every(validFaultRule)) return json(res, 400, { error: 'rules must be fault rules' });
    s.faults.add(...(b.rules as FaultRule[]));
    if (typeof b.latencyMs === 'number') s.faults.latencyMs = b.latencyMs;
    return json(res, 200, { pending: s.faults.pending() });
  }
  if (action === 'faults' && req.method === 'DELETE') return (s.faults.clear(), json(res, 200, { pending: 0 }));
  if (action === 'mutate' && req.method === 'POST') return json(res, 200, s.changes.track(s.data, () => mutateDataset(s.data, s.generator, (body ?? {}) as Mutation)));
  if (action === 'stats' && req.method === 'GET') {
    const counts = Object.fromEntries(ENTITY_PATHS.map((p) => [p, s.data[p].length]));
    return json(res, 200, { records: recordCount(s.data), counts, requests: s.requests, pendingFaults: s.faults.pending() });
  }
  return json(res, 404, { error: 'not found' });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
