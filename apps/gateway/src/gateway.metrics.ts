import type { IncomingMessage } from 'node:http';
import { Counter } from 'prom-client';
import { expressRoute, observeHttpRequests, type RippleMetrics } from '@ripple/observability';
import { consoleRoute } from './console/serve-console';
import type { ServiceName } from './proxy/route-table';
import { proxiedRoute } from './proxy/upstream-proxy';

/** Counts upstreams the gateway could not reach, by service. */
export function upstreamFailureCounter(metrics: RippleMetrics): (service: ServiceName) => void {
  const counter = new Counter({ name: 'ripple_gateway_upstream_failures_total', help: 'Requests answered 502 because the upstream could not be reached', labelNames: ['service'], registers: [metrics.registry] });
  return (service) => counter.inc({ service });
}

/** A request's route: the route-table pattern for a proxied one, the console's for its files, the gateway's own route pattern otherwise. */
export const gatewayRoute = (req: IncomingMessage): string | undefined => proxiedRoute(req) ?? consoleRoute(req) ?? expressRoute(req);

/** Every request by route (gatewayRoute). */
export function countRequests(metrics: RippleMetrics) {
  return observeHttpRequests(metrics, gatewayRoute);
}
