import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { CORRELATION_HEADER } from '@ripple/http-edge';
import { withLogContext } from '@ripple/observability';

const ACCEPTABLE = /^[\w.:-]{1,128}$/;

/**
 * Settles the correlation id at the edge: the client's if it is sane, else a new
 * one, written into the request headers so the upstream logs the same id.
 */
export function correlation(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const given = req.headers[CORRELATION_HEADER];
  const correlationId = typeof given === 'string' && ACCEPTABLE.test(given) ? given : randomUUID();
  req.headers[CORRELATION_HEADER] = correlationId;
  res.setHeader(CORRELATION_HEADER, correlationId);
  withLogContext({ correlationId }, next);
}
