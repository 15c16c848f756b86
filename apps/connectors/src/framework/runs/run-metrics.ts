import { Counter, Gauge, Histogram } from 'prom-client';
import type { UpstreamErrorClass } from '@ripple/contracts';
import type { RippleMetrics } from '@ripple/observability';

export type RunOutcome = 'succeeded' | 'failed';

/**
 * Connector runs at /metrics: runs by outcome and how long they took, runs going on, records
 * fetched per entity (records per second is its rate), and retried upstream failures by class
 * (a 429 is `rate_limit`).
 */
export class RunMetrics {
  private readonly runs: Counter<'connector' | 'status'>;
  private readonly duration: Histogram<'connector' | 'status'>;
  private readonly running: Gauge<'connector'>;
  private readonly records: Counter<'connector' | 'entity'>;
  private readonly retries: Counter<'connector' | 'error_class'>;

  constructor(metrics: RippleMetrics) {
    const registers = [metrics.registry];
    this.runs = new Counter({ name: 'ripple_connector_runs_total', help: 'Connector runs finished, by outcome', labelNames: ['connector', 'status'], registers });
    this.duration = new Histogram({
      name: 'ripple_connector_run_duration_seconds', help: 'Connector runs from start to finish, by outcome', labelNames: ['connector', 'status'],
      buckets: [1, 5, 15, 60, 300, 900, 3600], registers,
    });
    this.running = new Gauge({ name: 'ripple_connector_runs_running', help: 'Connector runs going on in this instance', labelNames: ['connector'], registers });
    this.records = new Counter({ name: 'ripple_connector_records_total', help: 'Records fetched from upstream APIs, by entity', labelNames: ['connector', 'entity'], registers });
    this.retries = new Counter({ name: 'ripple_connector_retries_total', help: 'Upstream calls retried, by error class (rate_limit: a 429)', labelNames: ['connector', 'error_class'], registers });
  }

  started(connector: string): void {
    this.running.inc({ connector });
  }

  finished(connector: string, status: RunOutcome, durationMs: number): void {
    this.running.dec({ connector });
    this.runs.inc({ connector, status });
    this.duration.observe({ connector, status }, durationMs / 1000);
  }

  fetched(connector: string, entity: string, records: number): void {
    this.records.inc({ connector, entity }, records);
  }

  retried(connector: string, errorClass: UpstreamErrorClass): void {
    this.retries.inc({ connector, error_class: errorClass });
  }
}
