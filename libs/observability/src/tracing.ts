import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

export { SpanKind, type Span };

export interface TracingOptions {
  serviceName: string;
  /** OTLP/HTTP collector root: spans go to `<endpoint>/v1/traces` as OTLP/JSON. */
  endpoint?: string;
  /** Where spans go instead of OTLP (tests in one process). */
  exporter?: SpanExporter;
  /** How long finished spans wait to be exported in one batch. */
  scheduleDelayMs?: number;
}

/** A started tracing SDK: flush and stop it at shutdown. */
export interface Tracing {
  shutdown(): Promise<void>;
}

/** Set only while an SDK runs: with none, every helper here returns at its first line. */
let tracer: Tracer | undefined;

/**
 * Starts the OpenTelemetry SDK for this process: W3C trace context, spans kept
 * across `await` (AsyncLocalStorage), batched export. The SDK is loaded here and
 * only here, so an app that does not trace never loads it.
 */
export function startTracing(opts: TracingOptions): Tracing {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const sdk = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const exporter = opts.exporter ?? otlpExporter(opts.endpoint!);
  const provider = new sdk.TracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName }),
    spanProcessors: [new sdk.BatchSpanProcessor({ exporter, scheduledDelayMillis: opts.scheduleDelayMs ?? 5000 })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  tracer = provider.getTracer('ripple');
  return {
    async shutdown() {
      tracer = undefined;
      await provider.shutdown().catch(() => undefined);
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

function otlpExporter(endpoint: string): SpanExporter {
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
}

/** True while this process traces. */
export const tracingOn = (): boolean => tracer !== undefined;

/** A span's W3C `traceparent` header value. */
export function traceparentOf(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${traceFlags & 1 ? '01' : '00'}`;
}

/** The active span's `traceparent` (what an event appended now carries), or undefined when not tracing. */
export function activeTraceparent(): string | undefined {
  if (!tracer) return undefined;
  const span = trace.getActiveSpan();
  return span ? traceparentOf(span) : undefined;
}

/** The context a `traceparent` (a header, an event envelope's field) names. */
export function contextOf(carrier: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/**
 * Starts a span whose parent is `parent` (a `traceparent`, a context, or the
 * active span when omitted); undefined when not tracing, so callers skip the rest.
 */
export function startSpan(name: string, kind: SpanKind, parent?: string | Context, attributes?: Attributes): Span | undefined {
  if (!tracer) return undefined;
  const ctx = typeof parent === 'string' ? contextOf({ traceparent: parent }) : (parent ?? context.active());
  return tracer.startSpan(name, { kind, attributes }, ctx);
}

/** Runs `fn` with `span` active: spans started and events appended inside are its children. */
export function withSpan<T>(span: Span, fn: () => T, parent: Context = context.active()): T {
  return context.with(trace.setSpan(parent, span), fn);
}

/** Ends a span, marked failed when `err` is given. */
export function endSpan(span: Span, err?: unknown): void {
  if (err !== undefined) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  }
  span.end();
}
