import type { HealthCheck } from '@ripple/observability';

/** The dependencies `/health/ready` asks: PostgreSQL and NATS, and whatever a module adds at construction (the gateway its upstreams). */
export class HealthChecks {
  readonly list: HealthCheck[] = [];

  add(...checks: HealthCheck[]): void {
    this.list.push(...checks);
  }
}
