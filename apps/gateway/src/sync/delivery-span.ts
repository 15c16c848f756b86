import { SpanKind, startSpan, type Span } from '@ripple/observability';
import type { FeedRow } from '../feed/feed-reader';
import type { Transport } from './sync.metrics';

/** A span for one change written to one connection, in the trace of the feed write that recorded it. */
export function startDeliverySpan(transport: Transport, row: FeedRow & { traceparent: string }, userId: string): Span | undefined {
  return startSpan(`${transport} send ${row.eventType}`, SpanKind.PRODUCER, row.traceparent, {
    'ripple.transport': transport, 'ripple.feed.position': row.position, 'ripple.event.id': row.eventId, 'enduser.id': userId,
  });
}
