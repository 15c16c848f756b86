import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { connectBroker } from '@ripple/messaging';
import { createServiceApp } from '@ripple/service-host';
import { createTestDatabase, deleteNamespaceStreams, testNamespace, testNatsUrl, type TestDatabase } from '@ripple/testing';
import { configureGateway } from './configure-gateway';
import { GatewayModule } from './gateway.module';
import { nextChunk, open, readAll, send, startUpstream, type FakeUpstream } from './testing/http-fixtures';

let profiles: FakeUpstream;
let venues: FakeUpstream;
let pets: FakeUpstream;
let connectors: FakeUpstream;
let db: TestDatabase;
let namespace: string;
let venuesHealth = 200;
let app: NestExpressApplication;
let base: string;
const streams: ServerResponse[] = [];
// A console build of the shape Vite writes: index.html and content-hashed assets.
const consoleDir = mkdtempSync(join(tmpdir(), 'ripple-console-'));
mkdirSync(join(consoleDir, 'assets'));
writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>Ripple console</title>');
writeFileSync(join(consoleDir, 'assets', 'index-Ab12Cd34.js'), 'console.log(1)');

beforeAll(async () => {
  profiles = await startUpstream((seen, res) => {
    if (seen.url === '/api/users/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' }).write(': open\n\n');
      streams.push(res);
      return;
    }
    res.writeHead(seen.url === '/health/ready' ? 200 : 201, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  venues = await startUpstream((seen, res) => res.writeHead(seen.url === '/health/ready' ? venuesHealth : 200).end('{}'));
  pets = await startUpstream((_seen, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"from":"pets"}'));
  connectors = await startUpstream((_seen, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"from":"connectors"}'));
  db = await createTestDatabase();
  namespace = testNamespace();
  const env = {
    DATABASE_URL: db.url, NATS_URL: await testNatsUrl(), RIPPLE_NAMESPACE: namespace, JWT_SECRET: 'gateway-spec-secret-0123', LOG_LEVEL: 'error',
    BODY_LIMIT: '1kb', PROFILES_URL: profiles.url, VENUES_URL: venues.url, PETS_URL: pets.url, CONNECTORS_URL: connectors.url, SHUTDOWN_GRACE_MS: '200',
    CONSOLE_DIR: consoleDir,
  };
  Object.assign(process.env, env);
  app = (await createServiceApp(GatewayModule, { configure: configureGateway })) as NestExpressApplication;
  await app.init();
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
  await profiles.close();
  await venues.close();
  await pets.close();
  await connectors.close();
  const broker = await connectBroker(await testNatsUrl(), 'gateway-spec-cleanup');
  await deleteNamespaceStreams(broker.jsm as never, namespace);
  await broker.nc.close();
  await db.drop();
  rmSync(consoleDir, { recursive: true, force: true });
});

describe('gateway app', () => {
  it('forwards request bodies byte for byte: the gateway parses nothing', async () => {
    const res = await send(`${base}/api/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });

    expect(res.status).toBe(201);
    expect(profiles.seen.at(-1)).toMatchObject({ method: 'POST', url: '/api/users', body: '{not json' });
  });

  it('reports itself and every upstream on /health, 200 when all are up', async () => {
    venuesHealth = 200;
    const res = await send(`${base}/health`);

    expect(res.status).toBe(200);
    const up = { status: 'up' };
    expect(JSON.parse(res.body)).toEqual({ status: 'ok', checks: { postgres: up, nats: up, gateway: up, profiles: up, venues: up, pets: up, connectors: up } });
  });

  it('answers 503 on /health when an upstream is down', async () => {
    venuesHealth = 503;
    const res = await send(`${base}/health`);

    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).checks.venues).toEqual({ status: 'down', error: '/health/ready answered 503' });
  });

  it('answers /health/live 200 while an upstream is down: liveness asks no dependency', async () => {
    venuesHealth = 503;
    const res = await send(`${base}/health/live`);

    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'ok', details: { process: { status: 'up', pid: expect.any(Number) } } });
  });

  it('reports its database, broker and every upstream on /health/ready', async () => {
    venuesHealth = 200;
    const res = await send(`${base}/health/ready`);

    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.status).toBe('ok');
    expect(Object.keys(body.details).sort()).toEqual(['connectors', 'gateway', 'nats', 'pets', 'postgres', 'profiles', 'venues']);
    for (const check of Object.values(body.details)) expect(check).toMatchObject({ status: 'up' });
  });

  it('answers /health/ready 503 naming the upstream that is not ready', async () => {
    venuesHealth = 503;
    const res = await send(`${base}/health/ready`);

    expect(res.status).toBe(503);
    const body = JSON.parse(res.body);
    expect(body.status).toBe('error');
    expect(Object.keys(body.error)).toEqual(['venues']);
    expect(body.error.venues).toMatchObject({ status: 'down', message: '/health/ready answered 503' });
    expect(body.info.postgres).toMatchObject({ status: 'up' });
  });

  it('serves Prometheus metrics', async () => {
    const res = await send(`${base}/metrics`);

    expect(res.status).toBe(200);
    expect(res.body).toContain('ripple_http_requests_total');
  });

  it('labels requests with the route pattern they matched, never the raw path, and observes their latency', async () => {
    const id = '0190f5d2-0000-7000-8000-00000000abcd';
    await send(`${base}/api/venues/${id}`);
    await send(`${base}/api/ops/pets/dead-letters/${id}`);
    await send(`${base}/health/live`);
    await send(`${base}/health/nowhere/${id}`);
    const { body } = await send(`${base}/metrics`);

    const series = (name: string, route: string, status: string) => new RegExp(`^${name}\\{[^}]*method="GET",route="${route.replace(/[*/]/g, '\\$&')}",status="${status}"[^}]*\\} [1-9]`, 'm');
    expect(body).toMatch(series('ripple_http_requests_total', '/api/venues/*', '200'));
    expect(body).toMatch(series('ripple_http_requests_total', '/api/ops/pets/*', '200'));
    expect(body).toMatch(series('ripple_http_requests_total', '/health/live', '200'));
    expect(body).toMatch(series('ripple_http_requests_total', 'unmatched', '404'));
    expect(body).toMatch(series('ripple_http_request_duration_seconds_count', '/api/venues/*', '200'));
    expect(body).toMatch(/^ripple_http_request_duration_seconds_bucket\{le="0.005"[^}]*route="\/api\/venues\/\*"/m);
    expect(body).not.toContain(id);
  });

  it('proxies the connectors paths to the connectors service', async () => {
    for (const path of [
      '/api/connectors/runs', '/api/catalog/talents?limit=1', '/api/internal/orchestrate-sync', '/api/ops/connectors/dead-letters',
      '/api/sync/all', '/api/sync/local-all', '/api/sync/runs/0190f5d2-0000-7000-8000-000000000001', '/api/sync/networks', '/api/sync/advertisers',
      '/api/sync/zones', '/api/sync/advertisements', '/api/sync/campaigns', '/api/sync/placements', '/api/adserver/advertisers', '/api/adserver/campaigns/x',
    ]) {
      const res = await send(`${base}${path}`);
      expect([path, res.status, res.body]).toEqual([path, 200, '{"from":"connectors"}']);
    }
  });

  it('proxies the pets paths, and /api/sync paths other than its own, to the pets service', async () => {
    for (const path of ['/api/pets/1', '/api/veterinarians', '/api/health-records', '/api/lost-pets', '/api/user-events', '/api/sync/log', '/api/sync/force', '/api/sync/allx', '/api/sync/networksx', '/api/ops/pets/dead-letters']) {
      const res = await send(`${base}${path}`);
      expect([path, res.status, res.body]).toEqual([path, 200, '{"from":"pets"}']);
    }
  });

  it('serves its own sync routes rather than proxying them', async () => {
    for (const path of ['/api/sync/events', '/api/sync/changes']) {
      const res = await send(`${base}${path}`);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body).error.code).toBe('AUTH_REQUIRED');
    }
    expect((await send(`${base}/api/sync/ticket`, { method: 'POST' })).status).toBe(401);
    expect(pets.seen.some((s) => s.url.startsWith('/api/sync/events') || s.url.startsWith('/api/sync/ticket'))).toBe(false);
  });

  it('serves the console at / and its page for any other GET outside /api, /health and /metrics', async () => {
    for (const path of ['/', '/pets/123', '/sign-in?next=%2F']) {
      const res = await send(`${base}${path}`);
      expect([path, res.status, res.headers['cache-control'], res.body]).toEqual([path, 200, 'no-cache', '<!doctype html><title>Ripple console</title>']);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
    }
    const asset = await send(`${base}/assets/index-Ab12Cd34.js`);
    expect([asset.status, asset.headers['cache-control'], asset.body]).toEqual([200, 'public, max-age=31536000, immutable', 'console.log(1)']);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect((await send(`${base}/health/live`)).body).not.toContain('Ripple console');
    expect((await send(`${base}/metrics`)).body).toMatch(/route="\/\*",status="200"/);
  });

  it('answers unknown paths with the Ripple error shape: in /api, a missing asset, and anything but a GET outside /api', async () => {
    for (const [method, path] of [['GET', '/api/nothing'], ['GET', '/api'], ['GET', '/assets/gone-12345678.js'], ['GET', '/health/nothing'], ['POST', '/nothing']]) {
      const res = await send(`${base}${path}`, { method });
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body)).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
    }
  });

  // Last: it closes the app.
  it('shuts down within the grace period, cutting streams that would never end', async () => {
    const { res } = await open(`${base}/api/users/stream`);
    await nextChunk(res);
    const stream = readAll(res).catch(() => 'cut');

    const started = Date.now();
    await app.close();

    expect(Date.now() - started).toBeLessThan(2000);
    expect(await stream).toBe('cut');
  });
});
