/**
 * Traces (OpenTelemetry): one profile update, sent with the client's own W3C
 * `traceparent`, is followed in one trace through every service it reaches, with
 * the compiled apps running as processes and exporting OTLP/JSON to a collector
 * this test runs. A hop that dropped the context would start a trace of its own,
 * and its spans would be missing here.
 */
import { randomBytes } from 'node:crypto';
import { eventually } from '@ripple/testing';
import { apiClient, signUp, type ApiClient } from './support/http-client';
import { startOtlpCollector, type CollectedSpan } from './support/otlp-collector';
import { sseClient, wsClient, type FeedClient } from './support/realtime-clients';
import { startRipple, type RunningRipple } from './support/ripple-processes';

let collector: Awaited<ReturnType<typeof startOtlpCollector>>;
let ripple: RunningRipple;
let api: ApiClient;
const clients: FeedClient[] = [];

beforeAll(async () => {
  collector = await startOtlpCollector();
  ripple = await startRipple({ ADMIN_PASSWORD: 'e2e-admin-password', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '100' });
  api = apiClient(ripple.url);
}, 180_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await ripple?.stop();
  await collector?.close();
});

/** Every hop of a profile update, as `<service>: <span name>`. */
const HOPS = [
  'gateway: PUT /api/users/*',
  'gateway: proxy profiles',
  'profiles: PUT /api/users/profile',
  'profiles: publish UserProfileUpdated',
  'venues: venue-directory apply UserProfileUpdated',
  'venues: publish VenueSynced',
  'gateway: change-feed-profiles apply UserProfileUpdated',
  'gateway: change-feed-venues apply VenueSynced',
  'gateway: sse send UserProfileUpdated',
  'gateway: sse send VenueSynced',
  'gateway: ws send VenueSynced',
];

const named = (spans: CollectedSpan[]) => spans.map((s) => `${s.service}: ${s.name}`);

describe('traces', () => {
  it('one trace id spans the gateway, profiles, the relay, venues and the gateway\'s feed and SSE/WebSocket writes', async () => {
    const owner = await signUp(api, 'venue', {});
    const sse = sseClient(ripple.url, { token: owner.token });
    const ws = wsClient(ripple.url, { token: owner.token });
    clients.push(sse, ws);
    await eventually(async () => sse.messages.some((m) => m.type === 'connected') && ws.messages.some((m) => m.type === 'connected'), { what: 'both feeds connected' });

    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const res = await api.put('/api/users/profile', { profileInfo: { venueName: 'Traced Hall', venueLocation: 'Quito' } }, { token: owner.token, headers: { traceparent: `00-${traceId}-${clientSpanId}-01` } });
    expect(res.status).toBe(200);
    await eventually(async () => sse.changes().some((c) => c.eventType === 'VenueSynced') && ws.changes().some((c) => c.eventType === 'VenueSynced'), { what: 'VenueSynced on both feeds' });

    // Spans arrive in batches, a child's sometimes before its parent's: wait for every hop and every parent.
    const spans = await eventually(
      async () => {
        const trace = collector.spans(traceId);
        const ids = new Set([clientSpanId, ...trace.map((s) => s.spanId)]);
        const missing = HOPS.filter((h) => !named(trace).includes(h));
        const orphans = trace.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
        if (missing.length || orphans.length) throw new Error(`missing ${missing.join(', ') || 'nothing'}; parents not seen for ${named(orphans).join(', ') || 'none'}`);
        return trace;
      },
      { timeoutMs: 30_000, what: `every hop in trace ${traceId}` },
    );

    expect(named(spans)).toEqual(expect.arrayContaining(HOPS));
    // Each hop is the child of the one before it: the client's span, the gateway's, the proxy's, profiles', the relay's, ...
    const byName = (name: string) => spans.find((s) => `${s.service}: ${s.name}` === name)!;
    const parentOf = (name: string) => spans.find((s) => s.spanId === byName(name).parentSpanId);
    expect(byName('gateway: PUT /api/users/*').parentSpanId).toBe(clientSpanId);
    expect(parentOf('gateway: proxy profiles')?.name).toBe('PUT /api/users/*');
    expect(parentOf('profiles: PUT /api/users/profile')?.name).toBe('proxy profiles');
    expect(parentOf('profiles: publish UserProfileUpdated')?.name).toBe('PUT /api/users/profile');
    expect(parentOf('venues: venue-directory apply UserProfileUpdated')?.name).toBe('publish UserProfileUpdated');
    expect(parentOf('venues: publish VenueSynced')?.name).toBe('venue-directory apply UserProfileUpdated');
    expect(parentOf('gateway: change-feed-venues apply VenueSynced')?.name).toBe('publish VenueSynced');
    expect(parentOf('gateway: sse send VenueSynced')?.name).toBe('change-feed-venues apply VenueSynced');
    expect(parentOf('gateway: ws send VenueSynced')?.name).toBe('change-feed-venues apply VenueSynced');
    // Nothing of the trace reaches a client.
    expect(JSON.stringify([...sse.messages, ...ws.messages])).not.toContain(traceId);
  });
});
