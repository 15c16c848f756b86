import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { json, readJson, sleep } from '../http/json-http';
import { SimFaults, validSimFault, type SimFaultRule, type SimRequest } from './sim-faults';
import { seedStore, SimStore, wire, type SimPath, type SimType } from './sim-store';

export interface BroadstreetSimOptions {
  port?: number;
  host?: string;
  /** The `access_token` every request must carry. */
  accessToken: string;
  /** Seeded upstream: networks, and how many of each child type per parent. */
  networks?: number;
  perParent?: number;
}

export interface RunningBroadstreetSim {
  /** The API root the connector's BROADSTREET_BASE_URL points at (`.../api/0`). */
  url: string;
  store: SimStore;
  faults: SimFaults;
  /** Every API request that got past auth, with its time (creates carry the name). */
  requests: (SimRequest & { status: number })[];
  stop(): Promise<void>;
}

const SINGULAR: Record<SimType, string> = { networks: 'network', advertisers: 'advertiser', zones: 'zone', advertisements: 'advertisement', campaigns: 'campaign', placements: 'placement' };
const ROUTE = /^\/api\/0(?:\/networks\/(\d+))?(?:\/advertisers\/(\d+))?(?:\/campaigns\/(\d+))?\/(networks|advertisers|zones|advertisements|campaigns|placements)$/;

/**
 * A stand-in for Broadstreet's REST API v0: the same paths and payload shapes,
 * in-memory storage with names unique per parent, and injectable faults (over
 * HTTP at /__sim for the standalone process, or through the returned object).
 */
export async function startBroadstreetSim(opts: BroadstreetSimOptions): Promise<RunningBroadstreetSim> {
  const store = new SimStore();
  seedStore(store, opts.networks ?? 1, opts.perParent ?? 2);
  const faults = new SimFaults();
  const requests: RunningBroadstreetSim['requests'] = [];
  const server = createServer((req, res) => void handle({ store, faults, requests, opts }, req, res).catch((err) => json(res, 500, { error: String(err) })));
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const { port, address } = server.address() as AddressInfo;
  return { url: `http://${address}:${port}/api/0`, store, faults, requests, stop: () => close(server) };
}

interface State {
  store: SimStore;
  faults: SimFaults;
  requests: RunningBroadstreetSim['requests'];
  opts: BroadstreetSimOptions;
}

async function handle(s: State, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim');
  if (url.pathname.startsWith('/__sim/')) return control(s, url.pathname.slice(7), req, res);
  const m = ROUTE.exec(url.pathname);
  if (!m || (req.method !== 'GET' && req.method !== 'POST')) return json(res, 404, { error: 'not found' });
  if (url.searchParams.get('access_token') !== s.opts.accessToken) return json(res, 401, { error: 'invalid access_token' });
  const type = m[4] as SimType;
  const path: SimPath = Object.fromEntries((['network', 'advertiser', 'campaign'] as const).flatMap((k, i) => (m[i + 1] ? [[k, Number(m[i + 1])]] : [])));
  const body = req.method === 'POST' ? await readForm(req) : undefined;
  const name = typeof body?.name === 'string' ? body.name : undefined;
  const request: SimRequest = { method: req.method, type, name, at: Date.now() };
  const fault = s.faults.take(request);
  const respond = (status: number, payload: unknown) => (s.requests.push({ ...request, status }), json(res, status, payload));
  if (fault?.kind === 'latency') await sleep(fault.delayMs ?? 200, res);
  if (fault?.kind === 'rate_limit') return (res.setHeader('retry-after', String(fault.retryAfterSeconds ?? 1)), respond(429, { error: 'rate limit exceeded' }));
  if (fault?.kind === 'server_error') return respond(500, { error: 'internal server error' });
  if (fault?.kind === 'unauthorized') return respond(401, { error: 'invalid access_token' });
  if (fault?.kind === 'validation') return respond(422, { errors: { base: ['rejected by the ad server'] } });
  if (req.method === 'GET') {
    if (!s.store.pathExists(type, path)) return respond(404, { error: 'not found' });
    return respond(200, { [type]: s.store.list(type, path).map(wire) });
  }
  if (!body) return respond(415, { error: 'send the fields as application/x-www-form-urlencoded' });
  const created = s.store.create(type, path, body);
  if (!created.ok) return respond(created.status, { errors: created.errors });
  const { id: _id, ...withoutId } = wire(created.entity);
  return afterWrite(fault, res, () => respond(201, { [SINGULAR[type]]: fault?.kind === 'reply_without_id' ? withoutId : wire(created.entity) }));
}

const NUMERIC = new Set(['weight', 'advertisement_id', 'zone_id']);

/**
 * A create's fields, as Broadstreet's v0 clients send them: flat form fields
 * (what the simulator accepts, and all it accepts). Undefined for any other body.
 */
async function readForm(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (!/^application\/x-www-form-urlencoded\b/.test(req.headers['content-type'] ?? '')) return undefined;
  const fields: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) fields[k] = NUMERIC.has(k) && /^\d+$/.test(v) ? Number(v) : v;
  return fields;
}

/** The write happened; the client may still never hear of it. */
async function afterWrite(fault: SimFaultRule | undefined, res: ServerResponse, reply: () => void): Promise<void> {
  if (fault?.kind === 'drop_after_write') return void res.socket?.destroy();
  if (fault?.kind === 'hold_after_write') await sleep(fault.delayMs ?? 30_000, res);
  reply();
}

async function control(s: State, action: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (action === 'faults' && req.method === 'POST') {
    const b = (await readJson(req)) as { rules?: unknown[] } | undefined;
    if (!Array.isArray(b?.rules) || !b.rules.every(validSimFault)) return json(res, 400, { error: 'rules must be fault rules' });
    s.faults.add(...(b.rules as SimFaultRule[]));
    return json(res, 200, { pending: s.faults.pending() });
  }
  if (action === 'faults' && req.method === 'DELETE') return (s.faults.clear(), json(res, 200, { pending: 0 }));
  if (action === 'stats' && req.method === 'GET') {
    const counts = Object.fromEntries((['networks', 'advertisers', 'zones', 'advertisements', 'campaigns', 'placements'] as const).map((t) => [t, s.store.all(t).length]));
    return json(res, 200, { counts, requests: s.requests.length, pendingFaults: s.faults.pending() });
  }
  return json(res, 404, { error: 'not found' });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
