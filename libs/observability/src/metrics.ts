import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** How often the event-loop lag (nodejs_eventloop_lag_*) is sampled. */
export const EVENT_LOOP_SAMPLE_MS = 100;

/** The Prometheus series every Ripple app exposes at /metrics. */
export class RippleMetrics {
  readonly registry = new Registry();
  readonly eventsAppended = new Counter({ name: 'ripple_events_appended_total', help: 'Events committed to this service\'s event store', labelNames: ['type'], registers: [this.registry] });
  readonly eventsPublished = new Counter({ name: 'ripple_events_published_total', help: 'Events published to JetStream by the outbox relay', registers: [this.registry] });
  /** Read at scrape time (see `measureOutboxBacklog`), not on the relay's hot path. */
  readonly outboxBacklog = new Gauge({
    name: 'ripple_outbox_backlog',
    help: 'Committed events not yet acknowledged by JetStream',
    registers: [this.registry],
    collect: async () => {
      if (this.backlogSource) this.outboxBacklog.set(await this.backlogSource().catch(() => NaN));
    },
  });
  private backlogSource?: () => Promise<number>;
  readonly eventsApplied = new Counter({ name: 'ripple_events_applied_total', help: 'Events applied by a projection', labelNames: ['projection'], registers: [this.registry] });
  readonly eventsSkipped = new Counter({ name: 'ripple_events_skipped_total', help: 'Redelivered or duplicate events a projection ignored', labelNames: ['projection'], registers: [this.registry] });
  readonly projectionLag = new Gauge({ name: 'ripple_projection_lag', help: 'Messages pending for a projection\'s consumer', labelNames: ['projection'], registers: [this.registry] });
  readonly projectionRetries = new Counter({ name: 'ripple_projection_retries_total', help: 'Events nak\'d for a later retry', labelNames: ['projection'], registers: [this.registry] });
  readonly projectionBatches = new Counter({
    name: 'ripple_projection_batches_total',
    help: 'Live batches a projection applied, by path: one_trip (one round trip), check_failed (what it assumed did not hold; then usual), usual (two round trips)',
    labelNames: ['projection', 'path'],
    registers: [this.registry],
  });
  readonly deadLetters = new Gauge({ name: 'ripple_dead_letters', help: 'Open dead letters', labelNames: ['projection'], registers: [this.registry] });
  readonly applyLatency = new Histogram({ name: 'ripple_apply_latency_seconds', help: 'Event occurredAt to projection commit', labelNames: ['projection'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  readonly httpRequests = new Counter({ name: 'ripple_http_requests_total', help: 'HTTP requests by route pattern and status', labelNames: ['method', 'route', 'status'], registers: [this.registry] });
  readonly httpDuration = new Histogram({
    name: 'ripple_http_request_duration_seconds',
    help: 'HTTP request to response end, by route pattern and status (a stream: until it closes)',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** The outbox relay's count of unpublished events, queried when /metrics is scraped. */
  measureOutboxBacklog(source: () => Promise<number>): void {
    this.backlogSource = source;
  }

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    // The event-loop lag histogram samples on a timer: prom-client's default (every 10 ms) wakes
    // an idle service 100 times a second, each wake-up a context switch on a small machine.
    // Ten samples a second still show a blocked loop in every scrape.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  }
}
