import type { ServerResponse } from 'node:http';
import { UNMATCHED_ROUTE, type HttpRequestLike } from './http-metrics';
import { contextOf, endSpan, SpanKind, startSpan, withSpan } from './tracing';

/**
 * A SERVER span per request, continuing the caller's `traceparent` header when
 * it has one; the rest of the request runs with it active. Installed only while
 * tracing (see `tracingOn`), and after body parsing: stream callbacks would not
 * carry the span through it. Named by route pattern, like the metrics.
 */
export function traceHttpRequests<R extends HttpRequestLike>(routeOf: (req: R) => string | undefined) {
  return (req: R, res: ServerResponse, next: () => void): void => {
    const parent = contextOf(req.headers);
    const span = startSpan(req.method ?? 'HTTP', SpanKind.SERVER, parent, { 'http.request.method': req.method, 'url.path': req.url?.split('?')[0] });
    if (!span) return next();
    res.once('close', () => {
      const route = routeOf(req) ?? UNMATCHED_ROUTE;
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': res.statusCode });
      endSpan(span, res.statusCode >= 500 ? new Error(`HTTP ${res.statusCode}`) : undefined);
    });
    withSpan(span, next, parent);
  };
}
