import type { DomainEvent } from '@ripple/contracts';
import { endSpan, SpanKind, startSpan, traceparentOf, type Span } from '@ripple/observability';

/**
 * One CONSUMER span per traced event of a batch, a child of the event's own
 * context (its publish span). Jaeger shows a trace as one tree: a span per event
 * keeps the apply inside the trace of the change that caused it, where a batch
 * span with links would sit in a trace of its own, reachable only as a reference.
 * The spans of a batch share its timing and say its size. Each event then
 * carries its span's context, so what a reactor appends for it continues the trace.
 * Call it only while tracing (`tracingOn`).
 */
export function startApplySpans(projection: string, events: DomainEvent[]): Span[] {
  const spans: Span[] = [];
  for (const e of events) {
    if (!e.traceparent) continue;
    const span = startSpan(`${projection} apply ${e.type}`, SpanKind.CONSUMER, e.traceparent, { 'ripple.projection': projection, 'ripple.event.id': e.id, 'ripple.batch.size': events.length })!;
    e.traceparent = traceparentOf(span);
    spans.push(span);
  }
  return spans;
}

export function endApplySpans(spans: Span[] | undefined): void {
  if (spans) for (const span of spans) endSpan(span);
}
