import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { traceHttpRequests } from './http-tracing';
import { activeTraceparent, SpanKind, startSpan, startTracing, tracingOn } from './tracing';

describe('tracing', () => {
  it('is off until started: nothing to trace, no span', () => {
    expect(tracingOn()).toBe(false);
    expect(activeTraceparent()).toBeUndefined();
    expect(startSpan('x', SpanKind.INTERNAL, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBeUndefined();
  });

  it('continues an incoming traceparent: the request runs in a SERVER span of the caller\'s trace, named by route', async () => {
    // In memory, and kept past shutdown (which flushes).
    const exported: ReadableSpan[] = [];
    const exporter: SpanExporter = { export: (spans, done) => (exported.push(...spans), done({ code: 0 })), shutdown: async () => undefined };
    const tracing = startTracing({ serviceName: 'test', exporter, scheduleDelayMs: 10 });
    let seen: string | undefined;
    const trace = traceHttpRequests(() => '/things/:id');
    const server: Server = createServer((req, res) =>
      trace(req, res, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        seen = activeTraceparent();
        res.end('ok');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const traceId = '0af7651916cd43dd8448eb211c80319c';
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/things/1`, { headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` } });
      expect(await res.text()).toBe('ok');
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await tracing.shutdown();
    }
    const [span] = exported;
    expect(span).toMatchObject({ name: 'GET /things/:id', kind: SpanKind.SERVER });
    expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(seen).toBe(`00-0af7651916cd43dd8448eb211c80319c-${span.spanContext().spanId}-01`);
    expect(tracingOn()).toBe(false);
  });
});
