import http, { type ServerResponse } from 'node:http';
import { JsonLogger } from '@ripple/observability';
import { correlation } from '../correlation.middleware';
import { closedPort, listen, nextChunk, open, readAll, send, sleep, startUpstream, type FakeUpstream } from '../testing/http-fixtures';
import { proxyFirst } from './proxy-first';
import { UpstreamProxy } from './upstream-proxy';

const IDLE_SOCKET_MS = 100;
let upstream: FakeUpstream;
let gateway: http.Server;
let proxy: UpstreamProxy;
let base: string;
const streams: { res: ServerResponse; closed: Promise<void> }[] = [];
const revocations: (string | string[])[] = [];

beforeAll(async () => {
  upstream = await startUpstream((seen, res) => {
    if (seen.url === '/api/auth/logout') {
      res.writeHead(200, { 'content-type': 'application/json', 'ripple-tokens-revoked': '0190f5d2-0000-7000-8000-00000000a0a0 3' }).end('{}');
      return;
    }
    if (seen.url.startsWith('/api/auth/stream')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      streams.push({ res, closed: new Promise((resolve) => res.on('close', () => resolve())) });
      return;
    }
    res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes', 'set-cookie': ['a=1', 'b=2'], connection: 'x-upstream-hop', 'x-upstream-hop': 'drop-me' });
    res.end(JSON.stringify({ ok: true }));
  });
  const logger = new JsonLogger('gateway', 'error', () => undefined);
  proxy = new UpstreamProxy({ upstreams: { profiles: upstream.url, venues: `http://127.0.0.1:${await closedPort()}` }, bodyLimitBytes: 1024, logger, idleSocketMs: IDLE_SOCKET_MS, onTokensRevoked: (h) => revocations.push(h) });
  gateway = http.createServer((_req, res) => res.writeHead(418).end('not proxied'));
  proxyFirst(gateway, proxy, [correlation], logger);
  base = `http://127.0.0.1:${await listen(gateway)}`;
});

afterAll(async () => {
  gateway.closeAllConnections();
  await new Promise((resolve) => gateway.close(resolve));
  proxy.close();
  await upstream.close();
});

beforeEach(() => {
  upstream.seen.length = 0;
});

const lastSeen = () => upstream.seen[upstream.seen.length - 1];

describe('forwarding', () => {
  it('passes method, path, query, body and end-to-end headers, and adds the forwarding headers', async () => {
    const body = JSON.stringify({ profileInfo: { venueName: 'Río' } });
    const res = await send(`${base}/api/users/profile?x=1&x=2&q=a%20b`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'if-match': '"3"', 'x-custom': '42', connection: 'x-client-hop', 'x-client-hop': 'drop-me', 'x-forwarded-for': '203.0.113.9' },
      body,
    });

    expect(res.status).toBe(201);
    const seen = lastSeen();
    expect(seen).toMatchObject({ method: 'PUT', url: '/api/users/profile?x=1&x=2&q=a%20b', body });
    expect(seen.headers).toMatchObject({
      'content-type': 'application/json',
      'if-match': '"3"',
      'x-custom': '42',
      host: new URL(upstream.url).host,
      'x-forwarded-for': '203.0.113.9, 127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': new URL(base).host,
    });
    expect(seen.headers['x-client-hop']).toBeUndefined();
  });

  it('returns the upstream status, headers and body, without its hop-by-hop headers', async () => {
    const res = await send(`${base}/api/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

    expect(res.status).toBe(201);
    expect(res.headers['x-upstream']).toBe('yes');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(res.headers['x-upstream-hop']).toBeUndefined();
    expect(JSON.parse(res.body)).toEqual({ ok: true });
  });

  it('hands a revocation the upstream announces to the gateway, and keeps the header from the client', async () => {
    const res = await send(`${base}/api/auth/logout`, { method: 'POST' });

    expect(res.status).toBe(200);
    expect(res.headers['ripple-tokens-revoked']).toBeUndefined();
    expect(revocations).toEqual(['0190f5d2-0000-7000-8000-00000000a0a0 3']);
  });

  it('keeps a chunked body chunked, even on a method Node would not chunk by default', async () => {
    const res = await send(`${base}/api/users/42`, { method: 'DELETE', headers: { 'transfer-encoding': 'chunked' }, body: ['abc', 'def'] });

    expect(res.status).toBe(201);
    expect(lastSeen()).toMatchObject({ method: 'DELETE', body: 'abcdef' });
  });

  it('sends /api/ops/<service>/... to that service with the path unchanged', async () => {
    await send(`${base}/api/ops/profiles/dead-letters?status=open`);

    expect(lastSeen().url).toBe('/api/ops/profiles/dead-letters?status=open');
  });

  it('routes and forwards the path with dot segments resolved', async () => {
    await send(`${base}/api/venues/../users/me`);

    expect(lastSeen().url).toBe('/api/users/me');
  });
});

describe('correlation id', () => {
  it('generates one when the client sent none, and gives it to the upstream and the client', async () => {
    const res = await send(`${base}/api/auth/login`, { method: 'POST', body: '{}' });

    expect(res.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(lastSeen().headers['x-correlation-id']).toBe(res.headers['x-correlation-id']);
  });

  it("keeps the client's id", async () => {
    const res = await send(`${base}/api/users/me`, { headers: { 'x-correlation-id': 'client-id-1' } });

    expect(res.headers['x-correlation-id']).toBe('client-id-1');
    expect(lastSeen().headers['x-correlation-id']).toBe('client-id-1');
  });

  it('replaces an id that is not a plain token', async () => {
    const res = await send(`${base}/api/users/me`, { headers: { 'x-correlation-id': 'bad id <script>' } });

    expect(res.headers['x-correlation-id']).not.toBe('bad id <script>');
    expect(lastSeen().headers['x-correlation-id']).toBe(res.headers['x-correlation-id']);
  });
});

describe('streaming', () => {
  it('delivers each chunk as it is written, across silences longer than any socket timeout', async () => {
    const { res } = await open(`${base}/api/auth/stream`);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(await nextChunk(res)).toBe('data: one\n\n');

    await sleep(IDLE_SOCKET_MS * 3);
    const rest = readAll(res);
    const { res: upstreamRes } = streams[streams.length - 1];
    upstreamRes.write('data: two\n\n');
    upstreamRes.end();

    expect(await rest).toBe('data: two\n\n');
  });

  it('closes the upstream stream when the client goes away', async () => {
    const { req, res } = await open(`${base}/api/auth/stream`);
    await nextChunk(res);

    req.destroy();

    await streams[streams.length - 1].closed;
  });

  it('cuts the client stream when the upstream dies mid-response instead of ending it cleanly', async () => {
    const { res } = await open(`${base}/api/auth/stream`);
    await nextChunk(res);
    const rest = readAll(res);

    streams[streams.length - 1].res.destroy();

    await expect(rest).rejects.toThrow();
  });
});

describe('failures', () => {
  it('answers 502 UPSTREAM_UNAVAILABLE naming the service when the upstream is unreachable', async () => {
    const res = await send(`${base}/api/galleras?city=x`);

    expect(res.status).toBe(502);
    expect(JSON.parse(res.body)).toEqual({ success: false, error: { code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('venues is unavailable'), service: 'venues' } });
    expect(res.headers['x-correlation-id']).toBeDefined();
  });

  it.each(['/api/unknown', '/api', '/api/usersx', '/api/ops/nobody/x', '/api/ops'])('answers 404 NOT_FOUND for %s', async (path) => {
    const res = await send(`${base}${path}`);

    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toEqual({ success: false, error: { code: 'NOT_FOUND', message: expect.any(String) } });
    expect(upstream.seen).toHaveLength(0);
  });

  it('leaves paths outside /api to the server\'s own handler', async () => {
    const res = await send(`${base}/health`);

    expect(res.status).toBe(418);
  });

  it('answers 413 without calling the upstream when the declared length is over the limit', async () => {
    const body = 'x'.repeat(2000);
    const res = await send(`${base}/api/users`, { method: 'POST', headers: { 'content-length': body.length }, body });

    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(upstream.seen).toHaveLength(0);
  });

  it('answers 413 when a chunked body grows over the limit', async () => {
    const res = await send(`${base}/api/users`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' }, body: ['x'.repeat(800), 'x'.repeat(800)] });

    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
