import type { IncomingMessage } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';

/** Where `npm run build` puts the console (apps/console/dist), from this file's compiled place (apps/gateway/dist/console). */
export const DEFAULT_CONSOLE_DIR = join(__dirname, '..', '..', '..', 'console', 'dist');

/** Vite names every built asset by its content hash: a changed file is a new URL, so these may be kept for good. */
const HASHED_ASSETS = '/assets/';
const CONSOLE_ROUTE = Symbol('console route');

// Paths the gateway answers itself or proxies: never the console's, whatever the console holds.
const SERVER_PREFIXES = ['/api', '/health', '/metrics'];
const isServerPath = (path: string) => SERVER_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));

/** The metrics' route label of a request the console answered. */
export const consoleRoute = (req: IncomingMessage): string | undefined => (req as { [CONSOLE_ROUTE]?: string })[CONSOLE_ROUTE];

/**
 * The console's static files at `/`, and its index.html for any other GET
 * outside /api, /health and /metrics (the console routes in the browser).
 * index.html is revalidated every time; hashed assets are immutable. A missing
 * asset is a 404, not the page. No console built (`dir` missing): nothing is served.
 */
export function serveConsole(dir: string): express.Handler | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const files = express.static(dir, {
    index: 'index.html',
    fallthrough: true,
    setHeaders: (res, path) => res.setHeader('cache-control', path.startsWith(join(dir, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  const page = join(dir, 'index.html');
  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isServerPath(req.path)) return next();
    (req as { [CONSOLE_ROUTE]?: string })[CONSOLE_ROUTE] = req.path.startsWith(HASHED_ASSETS) ? `${HASHED_ASSETS}*` : '/*';
    files(req, res, () => {
      if (req.path.startsWith(HASHED_ASSETS)) return next();
      res.setHeader('cache-control', 'no-cache');
      res.sendFile(page, (err) => err && next(err));
    });
  };
}
