import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RippleMetrics } from './metrics';

/** Requests that matched no route share one label, so probing random paths cannot grow the series without bound. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The Express route pattern a request matched (`/api/users/:id`), once routing has run. */
export const expressRoute = (req: IncomingMessage): string | undefined => (req as { route?: { path?: string } }).route?.path;

/**
 * Counts every request and observes its duration by method, route pattern (never
 * the raw path) and status. Read on 'close', not 'finish': a stream the client
 * abandons never finishes; and by then routing has run, so the route is known.
 */
export function observeHttpRequests(metrics: RippleMetrics, routeOf: (req: IncomingMessage) => string | undefined = expressRoute) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const started = performance.now();
    res.once('close', () => {
      const labels = { method: req.method, route: routeOf(req) ?? UNMATCHED_ROUTE, status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, (performance.now() - started) / 1000);
    });
    next();
  };
}
