/**
 * No input, however hostile, gets a 5xx. Every route the gateway serves (read
 * from the controllers, so a new route is covered) gets, through the gateway as
 * a client would send them: each query and path parameter set alone to each
 * edge value (beyond bigint, negative, NaN, NUL), then a property-based run of
 * bodies that pass the DTO's rules but for one hostile field, raw hostile
 * bodies, query values, path parameters and headers. Seeded (FUZZ_SEED;
 * FUZZ_RUNS per route to explore further); a failure prints the request.
 */
import fc from 'fast-check';
import { signTrigger } from '../../apps/connectors/src/framework/triggers/hmac';
import { freePort } from '@ripple/testing';
import { apiClient, signUp } from './support/http-client';
import { startRipple, type RunningRipple } from './support/ripple-processes';
import { apiRoutes, type Field, type Route, type Shape } from './support/route-catalogue';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const RUNS = Number(process.env.FUZZ_RUNS ?? 25); // per route
const SYNC_SECRET = 'e2e-sync-secret-0123456789';

let ripple: RunningRipple;
let known: { admin: string; user: string; ids: string[] };

beforeAll(async () => {
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  ripple = await startRipple({
    ADMIN_PASSWORD: 'e2e-admin-password', SYNC_SECRET_KEY: SYNC_SECRET,
    // Connector runs the fuzz starts fail at once instead of retrying an upstream that is not there.
    NOWREPBLUE_BASE_URL: nowhere, NOWREPBLUE_RETRY_ATTEMPTS: '1', BROADSTREET_BASE_URL: nowhere, BROADSTREET_RETRY_ATTEMPTS: '1',
  });
  const api = apiClient(ripple.url);
  const admin = (await api.post('/api/auth/login', { username: 'admin', password: 'e2e-admin-password' })).body.data;
  const owner = await signUp(api, 'pet_owner', { fullName: 'Fuzz Owner' });
  const pet = await api.post('/api/pets', { name: 'Rex', species: 'dog', weightKg: 12 }, { token: owner.token });
  known = { admin: admin.token, user: owner.token, ids: [admin.user.id, owner.id, pet.body.data.id] };
}, 120_000);

afterAll(async () => {
  await ripple?.stop();
});

// --- values -----------------------------------------------------------------

const nasty = fc.constantFrom('\u0000', 'a\u0000b', '\uD800', 'x\uDFFF', '\uDC00\uD800', '😀', '', ' ', "'; DROP TABLE users; --", '%00', '../../etc', 'x'.repeat(5000), '__proto__', 'constructor');
const hugeNumber = fc.constantFrom(-1, 0, -0, 0.5, 2 ** 31, 2 ** 53, 2 ** 63, 1e20, 1e308, -1e308, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER);
const numericText = fc.constantFrom('99999999999999999999', '9223372036854775808', '-1', '1e400', '-1e400', 'NaN', 'Infinity', '0x1F', '1.5', ' 1', '00', '');
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 40 }), nasty, numericText);
const nested = (levels: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { a: v };
  return v;
};
const knownId = () => fc.constantFrom(...known.ids);
const scalar = () => fc.oneof(text, hugeNumber, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.uuid(), knownId(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()));
const value = () => fc.oneof({ weight: 6, arbitrary: scalar() }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) }, { weight: 1, arbitrary: fc.integer({ min: 30, max: 3000 }).map((n) => nested(n)) });

/** A value its rules accept (as far as the rules say): so that requests get past validation to the handler and the database. */
function plausible(field: Field): fc.Arbitrary<unknown> {
  const r = field.rules;
  const min = (r.min?.[0] as number | undefined) ?? (r.isPositive ? 0.01 : 0);
  const max = (r.max?.[0] as number | undefined) ?? 1000;
  if (field.nested) return plausibleBody(field.nested);
  if (r.isIn) return fc.constantFrom(...(r.isIn[0] as unknown[]));
  if (r.isUuid) return fc.oneof(knownId(), fc.uuid());
  if (r.isEmail) return fc.emailAddress().filter((e) => e.length <= 254);
  if (r.matches) return fc.stringMatching(r.matches[0] as RegExp);
  if (r.isInt) return fc.integer({ min, max });
  if (r.isNumber || r.isPositive) return fc.double({ min, max, noNaN: true });
  if (r.isDateString || r.isIso8601) return fc.date({ noInvalidDate: true, min: new Date('2000-01-01'), max: new Date('2100-01-01') }).map((d) => d.toISOString());
  if (r.isBoolean) return fc.boolean();
  if (r.isUrl) return fc.webUrl();
  return fc.string({ minLength: (r.minLength?.[0] as number | undefined) ?? 0, maxLength: Math.min((r.maxLength?.[0] as number | undefined) ?? 30, 30) });
}

const OMIT = Symbol('omit');
const entries = (pairs: (readonly [string, unknown] | typeof OMIT)[]) => Object.fromEntries(pairs.filter((p) => p !== OMIT) as [string, unknown][]);

/** A body its rules accept: required fields always, optional ones now and then. */
const plausibleBody = (shape: Shape): fc.Arbitrary<Record<string, unknown>> =>
  fc.tuple(...Object.entries(shape).map(([f, field]) => {
    const pair = plausible(field).map((v) => [f, v] as const);
    return field.rules.isOptional ? fc.option(pair, { freq: 3, nil: OMIT }) : pair;
  })).map(entries);

/** Where a value sits in a body: `['profileInfo', 'phone']`. */
const leafPaths = (v: unknown, at: string[] = []): string[][] =>
  typeof v === 'object' && v !== null && Object.keys(v).length ? Object.entries(v).flatMap(([k, x]) => leafPaths(x, [...at, k])) : at.length ? [at] : [];
const withValueAt = (body: Record<string, unknown>, path: string[], v: unknown): Record<string, unknown> => {
  const copy = structuredClone(body);
  let o = copy as Record<string, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[path[path.length - 1]] = v;
  return copy;
};

/** A body aimed at the DTO: one that passes its rules with one field (or a key it does not know) made hostile, or none. */
const bodyFor = (shape: Shape): fc.Arbitrary<unknown> =>
  plausibleBody(shape).chain((body) => {
    const paths = leafPaths(body);
    const target = paths.length ? fc.oneof(fc.constantFrom(...paths), text.map((k) => [k])) : text.map((k) => [k]);
    return fc.option(fc.tuple(target, value()), { freq: 4 }).map((m) => (m ? withValueAt(body, ...m) : body));
  });

type Payload = { json: unknown } | { raw: string } | undefined;
const rawBody = fc.oneof(
  fc.constantFrom('{"profileInfo": {', '{', '[', 'nul', '"\\ud800"', '{"a":"\\u0000"}', '{"a":1,"a":2}', ''),
  fc.string(),
  fc.integer({ min: 33, max: 50_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 33, max: 20_000 }).map((n) => `{"profileInfo":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`),
  fc.constant(JSON.stringify({ x: 'y'.repeat(200_000) })),
);
const payloadFor = (route: Route): fc.Arbitrary<Payload> =>
  route.body === undefined
    ? fc.constant(undefined)
    : fc.oneof({ weight: 6, arbitrary: bodyFor(route.body).map((json) => ({ json })) }, { weight: 1, arbitrary: value().map((json) => ({ json })) }, { weight: 1, arbitrary: rawBody.map((raw) => ({ raw })) });

const hostileNumberText = fc.oneof(numericText, hugeNumber.map(String));
const queryValue = () => fc.oneof({ weight: 4, arbitrary: hostileNumberText }, { weight: 1, arbitrary: text }, { weight: 1, arbitrary: knownId() }, { weight: 1, arbitrary: fc.uuid() });
const queryFor = (route: Route): fc.Arbitrary<Record<string, unknown>> =>
  plausibleBody(route.query ?? {}).chain((query) =>
    fc.option(fc.tuple(fc.constantFrom(...Object.keys(route.query ?? {}), 'x'), fc.oneof(queryValue(), fc.array(queryValue(), { minLength: 2, maxLength: 3 }))), { freq: 4 })
      .map((m) => (m ? { ...query, [m[0]]: m[1] } : query)));

/** Path segments sent as they are: malformed or overlong percent-encodings, raw NUL and 0xFF bytes. */
const RAW_SEGMENTS = ['%', '%zz', '%E0%A4%A', '%C0%AF', '%00', '%FF', '%ED%A0%80', '%2e%2e'];
const paramValue = () => fc.oneof(fc.constantFrom(...RAW_SEGMENTS), knownId(), fc.uuid(), fc.constantFrom('networks', 'advertisers', 'zones', 'advertisements', 'campaigns', 'placements', 'nowrepblue'), text.filter((t) => t.length > 0), numericText.filter((t) => t.length > 0));
const ifMatchValue = fc.oneof(numericText, fc.constantFrom('"99999999999999999999"', '"9223372036854775808"', '"2147483648"', 'W/"1"', '"-1"', '*', '"1"'));

/** Values every query and path parameter gets, each alone, on every route: beyond bigint, beyond a double, negative, not numbers, NUL. */
const EDGES = ['99999999999999999999', '9223372036854775808', '9007199254740993', '2147483648', '-1', '-9223372036854775809', '1e400', '1e20', 'NaN', '1.5', '\u0000', 'a\u0000'];

// Percent-encodes the UTF-8 bytes, so strings encodeURIComponent refuses (lone surrogates) still go out.
const encode = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface Parts {
  params: string[];
  query: Record<string, unknown>;
  payload: Payload;
  auth: 'admin' | 'user' | 'none' | 'garbage';
  ifMatch: string | null;
  signed: boolean;
  contentType: string;
}

function build(route: Route, { params, query, payload, auth, ifMatch, signed, contentType }: Parts): HostileRequest {
  let i = 0;
  const path = route.path.replace(/:\w+/g, () => {
    const p = params[i++];
    return RAW_SEGMENTS.includes(p) ? p : encode(p);
  });
  const qs = Object.entries(query).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encode(k)}=${encode(String(x))}`)).join('&');
  const body = payload === undefined ? undefined : 'raw' in payload ? payload.raw : JSON.stringify(payload.json) ?? 'null';
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = contentType;
  if (auth === 'admin' || auth === 'user') headers.authorization = `Bearer ${auth === 'admin' ? known.admin : known.user}`;
  if (auth === 'garbage') headers.authorization = 'Bearer not.a.token';
  if (ifMatch !== null) headers['if-match'] = ifMatch;
  if (signed && body !== undefined) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    headers['x-ripple-timestamp'] = timestamp;
    headers['x-ripple-signature'] = signTrigger(SYNC_SECRET, timestamp, body);
  }
  return { method: route.method, path: qs ? `${path}?${qs}` : path, headers, body };
}

const requestFor = (route: Route): fc.Arbitrary<HostileRequest> =>
  fc.record<Parts>({
    params: fc.tuple(...route.params.map(() => paramValue())),
    query: queryFor(route),
    payload: payloadFor(route),
    auth: fc.constantFrom('admin', 'admin', 'admin', 'user', 'none', 'garbage'),
    ifMatch: fc.option(ifMatchValue, { freq: 4 }),
    signed: fc.boolean(),
    contentType: fc.oneof({ weight: 8, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/merge-patch+json', 'multipart/form-data; boundary=x') }),
  }).map((parts) => build(route, parts));

/** The sweep: each parameter of the route set to each edge value, the rest plausible, as the admin. */
function edgeRequests(route: Route): HostileRequest[] {
  const [sample] = fc.sample(fc.record({ query: plausibleBody(route.query ?? {}), body: plausibleBody(route.body ?? {}) }), { numRuns: 1, seed: SEED });
  const base: Parts = { params: route.params.map(() => known.ids[2]), query: sample.query, payload: route.body ? { json: sample.body } : undefined, auth: 'admin', ifMatch: null, signed: false, contentType: 'application/json' };
  return [...EDGES, ...RAW_SEGMENTS].flatMap((edge) => [
    ...Object.keys(route.query ?? {}).map((q) => build(route, { ...base, query: { ...base.query, [q]: edge } })),
    ...route.params.map((_, i) => build(route, { ...base, params: base.params.map((p, j) => (i === j ? edge : p)) })),
    // A header cannot carry NUL at all.
    ...(route.method === 'PUT' && !edge.includes('\u0000') ? [build(route, { ...base, ifMatch: `"${edge}"` })] : []),
  ]);
}

async function send(req: HostileRequest): Promise<{ status: number; body: string }> {
  const abort = new AbortController();
  const res = await fetch(ripple.url + req.path, { method: req.method, headers: req.headers, body: req.body, signal: abort.signal });
  // An SSE stream that opened never ends: its status is the answer.
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
    abort.abort();
    return { status: res.status, body: '(event stream)' };
  }
  return { status: res.status, body: await res.text() };
}

const answersBelow500 = async (req: HostileRequest) => {
  const res = await send(req);
  if (res.status >= 500) throw new Error(`${req.method} ${req.path} answered ${res.status}: ${res.body.slice(0, 300)}`);
};

describe('names the problem', () => {
  const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  const call = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    send({ method, path, body, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), authorization: `Bearer ${known.admin}`, ...headers } });
  it.each([
    ['NUL in a nested field', 400, 'VALIDATION_FAILED', 'profileInfo.fullName', () => call('PUT', '/api/users/profile', JSON.stringify({ profileInfo: { fullName: 'a\u0000b' } }))],
    ['an unpaired surrogate in the unauthenticated login', 400, 'VALIDATION_FAILED', 'username', () => call('POST', '/api/auth/login', JSON.stringify({ username: 'x\uD800', password: 'whatever1' }), { authorization: '' })],
    ['NUL in a key of a free-form body', 400, 'VALIDATION_FAILED', 'na\\u0000me', () => call('POST', '/api/adserver/networks', JSON.stringify({ 'na\u0000me': 'x' }))],
    ['JSON nested 10,000 levels deep at the login', 400, 'BODY_TOO_DEEP', undefined, () => call('POST', '/api/auth/login', `{"username":${deep(10_000)}}`)],
    ['JSON nested 33 levels deep at the webhook', 400, 'BODY_TOO_DEEP', undefined, () => call('POST', '/api/internal/orchestrate-sync', deep(33))],
    ['malformed JSON', 400, 'MALFORMED_JSON', undefined, () => call('PUT', '/api/users/profile', '{"profileInfo": {')],
    ['an offset beyond bigint', 400, 'VALIDATION_FAILED', 'offset', () => call('GET', '/api/venues?offset=99999999999999999999')],
    ['a negative limit', 400, 'VALIDATION_FAILED', 'limit', () => call('GET', '/api/galleras?limit=-1')],
    ['a page beyond any', 400, 'VALIDATION_FAILED', 'page', () => call('GET', '/api/catalog/boards?page=9223372036854775808')],
    ['a version beyond any', 400, 'VALIDATION_FAILED', 'expectedVersion', () => call('PUT', '/api/users/profile', JSON.stringify({ profileInfo: {}, expectedVersion: 2 ** 53 }))],
    ['an If-Match beyond any version', 400, 'INVALID_IF_MATCH', undefined, () => call('PUT', '/api/users/profile', JSON.stringify({ profileInfo: {} }), { 'if-match': '"99999999999999999999"' })],
    ["NUL in the gateway's own cursor parameter", 400, 'VALIDATION_FAILED', 'since', () => call('GET', '/api/sync/changes?since=%00')],
    ['NUL in a path parameter', 400, 'VALIDATION_FAILED', 'id', () => call('GET', '/api/catalog/talents/a%00b')],
  ] as const)('%s: %i %s', async (_what, status, code, field, request) => {
    const res = await request();
    const body = JSON.parse(res.body);
    expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
    if (field) expect(body.error.fields).toEqual([{ field, errors: [expect.any(String)] }]);
  });
});

it('covers every route the gateway serves', () => {
  const paths = apiRoutes().map((r) => `${r.method} ${r.path}`);
  expect(paths).toEqual(expect.arrayContaining(['PUT /api/users/profile', 'POST /api/auth/login', 'POST /api/internal/orchestrate-sync', 'GET /api/venues', 'GET /api/sync/changes', 'GET /api/ops/gateway/dead-letters']));
});

describe.each(apiRoutes().map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_name, route) => {
  it('answers each numeric edge of each query and path parameter with less than 500', async () => {
    for (const req of edgeRequests(route)) await answersBelow500(req);
  });

  it('answers arbitrary hostile requests with less than 500', async () => {
    await fc.assert(fc.asyncProperty(requestFor(route), answersBelow500), { seed: SEED, numRuns: RUNS, endOnFailure: true });
  });
});
