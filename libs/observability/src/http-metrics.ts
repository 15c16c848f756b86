import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RippleMetrics } from './metrics';

/** Requests that matched no route share one label, so probing random paths cannot grow the series without bound. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The Express route pattern a request matched (`/api/users/:id`), once routing has run. */
export const expressRoute = (req: IncomingMessage): string | undefined => (req as { route?: { path?: string } }).route?.path;

/** What the HTTP middleware reads of a request: Node's, Express's and Fastify's all have it. */
export type HttpRequestLike = Pick<IncomingMessage, 'method' | 'headers' | 'url'>;

/**
 * Counts every request and observes its duration by method, route pattern (never
 * the raw path) and status. Read on 'close', not 'finish': a stream the client
 * abandons never finishes; and by then routing has run, so the route is known.
 */
export function observeHttpRequests<R extends HttpRequestLike>(metrics: RippleMetrics, routeOf: (req: R) => string | undefined) {
  return (req: R, res: ServerResponse, next: () => void): void => {
    const started = performance.now();
    res.once('close', () => {
      const labels = { method: req.method, route: routeOf(req) ?? UNMATCHED_ROUTE, status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, (performance.now() - started) / 1000);
    });
    next();
  };
}
