import { Counter, Gauge, Histogram } from 'prom-client';
import type { RippleMetrics } from '@ripple/observability';

export type Transport = 'sse' | 'ws';

/** The realtime edge's series, on the app's registry. */
export class SyncMetrics {
  readonly connections: Gauge<'transport'>;
  readonly messagesSent: Counter<'transport' | 'type'>;
  readonly reconnections: Counter<'transport'>;
  readonly deliveryLatency: Histogram<'transport'>;
  readonly slowConsumersDropped: Counter<'transport'>;

  constructor(metrics: RippleMetrics) {
    const registers = [metrics.registry];
    this.connections = new Gauge({ name: 'ripple_sync_connections', help: 'Open realtime connections', labelNames: ['transport'], registers });
    this.messagesSent = new Counter({ name: 'ripple_sync_messages_sent_total', help: 'Messages sent to realtime clients', labelNames: ['transport', 'type'], registers });
    this.reconnections = new Counter({ name: 'ripple_sync_reconnections_total', help: 'Connections that resumed from a cursor', labelNames: ['transport'], registers });
    this.deliveryLatency = new Histogram({
      name: 'ripple_sync_delivery_latency_seconds', help: 'Feed row written (projection commit) to change sent', labelNames: ['transport'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers,
    });
    this.slowConsumersDropped = new Counter({ name: 'ripple_sync_slow_consumers_dropped_total', help: 'Connections cut because their send queue was full', labelNames: ['transport'], registers });
  }
}
