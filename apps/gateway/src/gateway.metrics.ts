import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter } from 'prom-client';
import type { RippleMetrics } from '@ripple/observability';
import type { ServiceName } from './proxy/route-table';

/** Counts upstreams the gateway could not reach, by service. */
export function upstreamFailureCounter(metrics: RippleMetrics): (service: ServiceName) => void {
  const counter = new Counter({ name: 'ripple_gateway_upstream_failures_total', help: 'Requests answered 502 because the upstream could not be reached', labelNames: ['service'], registers: [metrics.registry] });
  return (service) => counter.inc({ service });
}

/** Counts every request once it is over; 'close' because a stream the client abandons never 'finish'es. */
export function countRequests(metrics: RippleMetrics) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    res.on('close', () => metrics.httpRequests.inc({ method: req.method, status: String(res.statusCode) }));
    next();
  };
}
