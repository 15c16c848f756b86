import http from 'node:http';
import { JsonLogger } from '@ripple/observability';
import { listen, send, startUpstream, type FakeUpstream } from '../testing/http-fixtures';
import { proxyFirst } from './proxy-first';
import { UpstreamProxy } from './upstream-proxy';

let upstream: FakeUpstream;
let server: http.Server;
let proxy: UpstreamProxy;
let base: string;
const ran: string[] = [];
const logged: string[] = [];

beforeAll(async () => {
  upstream = await startUpstream((_seen, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"from":"profiles"}'));
  const logger = new JsonLogger('gateway', 'error', (line) => logged.push(line));
  proxy = new UpstreamProxy({ upstreams: { profiles: upstream.url }, bodyLimitBytes: 1024, logger });
  server = http.createServer((req, res) => {
    ran.push(`own ${req.url}`);
    res.writeHead(418).end('the server\'s own handler');
  });
  proxyFirst(server, proxy, [
    (req, _res, next) => {
      ran.push(`first ${req.url}`);
      next();
    },
    (req, res, next) => {
      if (req.headers['x-fail'] === 'throw') throw new Error('edge bug');
      ran.push(`second ${req.url}`);
      res.setHeader('x-edge', 'seen');
      next();
    },
  ], logger);
  base = `http://127.0.0.1:${await listen(server)}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  proxy.close();
  await upstream.close();
});

beforeEach(() => {
  ran.length = 0;
  upstream.seen.length = 0;
});

describe('proxyFirst', () => {
  it('runs the edge in order, then forwards a path the proxy serves without the server\'s own handler', async () => {
    const res = await send(`${base}/api/users/profile?x=1`);

    expect([res.status, res.body, res.headers['x-edge']]).toEqual([200, '{"from":"profiles"}', 'seen']);
    expect(ran).toEqual(['first /api/users/profile?x=1', 'second /api/users/profile?x=1']);
    expect(upstream.seen.map((s) => s.url)).toEqual(['/api/users/profile?x=1']);
  });

  it('answers an /api path no service owns with 404 after the edge ran', async () => {
    const res = await send(`${base}/api/nowhere`);

    expect(res.status).toBe(404);
    expect(JSON.parse(res.body).error.code).toBe('NOT_FOUND');
    expect(ran).toEqual(['first /api/nowhere', 'second /api/nowhere']);
  });

  it('leaves the gateway\'s own /api paths and everything outside /api to the server\'s own handler, untouched by the edge', async () => {
    for (const path of ['/api/sync/events', '/api/openapi.json', '/api/ops/gateway/x', '/health', '/']) {
      const res = await send(`${base}${path}`);
      expect([path, res.status]).toEqual([path, 418]);
    }
    expect(ran).toEqual(['own /api/sync/events', 'own /api/openapi.json', 'own /api/ops/gateway/x', 'own /health', 'own /']);
    expect(upstream.seen).toHaveLength(0);
  });

  it('answers 500 in the error shape, and logs, when an edge middleware throws; the server keeps serving', async () => {
    const failed = await send(`${base}/api/users/profile`, { headers: { 'x-fail': 'throw' } });
    const next = await send(`${base}/api/users/profile`);

    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.body)).toEqual({ success: false, error: { code: 'INTERNAL', message: 'internal error' } });
    expect(logged.some((l) => l.includes('gateway edge failed') && l.includes('edge bug'))).toBe(true);
    expect(upstream.seen).toHaveLength(1);
    expect(next.status).toBe(200);
  });

  it('refuses a server with other than one request handler', () => {
    expect(() => proxyFirst(http.createServer(), proxy, [], new JsonLogger('gateway', 'error', () => undefined))).toThrow(/one request handler/);
  });
});
