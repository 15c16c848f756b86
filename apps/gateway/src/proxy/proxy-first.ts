import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { JsonLogger } from '@ripple/observability';
import { sendError } from './error-response';
import type { UpstreamProxy } from './upstream-proxy';

/** Connect-style middleware: it answers, or calls `next` once. */
export type EdgeMiddleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * Puts the proxy ahead of the server's own request handler (the gateway's
 * Express app): a request the proxy claims runs through `edge`, in order, and
 * goes upstream without entering Express; every other request goes to the
 * handler the server had, whose own stack runs the same `edge` first.
 *
 * Express's app and router cost a proxied request as much CPU as the proxying
 * itself (issue 10, scenario 2), for nothing a proxied request uses. A
 * middleware that throws is answered 500, as Express would, in Ripple's error shape.
 */
export function proxyFirst(server: Server, proxy: UpstreamProxy, edge: readonly EdgeMiddleware[], logger: JsonLogger): void {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  if (handlers.length !== 1) throw new Error(`proxyFirst expects one request handler on the server, found ${handlers.length}`);
  const [fallback] = handlers;
  server.removeListener('request', fallback);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const target = proxy.claims(req);
    if (!target) return fallback(req, res);
    let at = 0;
    const next = (): void => {
      const middleware = edge[at++];
      try {
        if (middleware) middleware(req, res, next);
        else proxy.send(req, res, target);
      } catch (err) {
        logger.event('error', 'gateway edge failed', { method: req.method, url: req.url, error: (err as Error).message });
        if (!res.headersSent) sendError(res, 500, { code: 'INTERNAL', message: 'internal error' });
        else res.destroy();
      }
    };
    next();
  });
}
