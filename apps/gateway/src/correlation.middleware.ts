import type { IncomingMessage, ServerResponse } from 'node:http';
import { CORRELATION_HEADER, settleCorrelationId } from '@ripple/http-edge';
import { withLogContext } from '@ripple/observability';

/**
 * Settles the correlation id at the edge: the client's if it is sane, else a new
 * one, written into the request headers so the upstream logs the same id.
 */
export function correlation(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const correlationId = settleCorrelationId(req.headers[CORRELATION_HEADER]);
  req.headers[CORRELATION_HEADER] = correlationId;
  res.setHeader(CORRELATION_HEADER, correlationId);
  withLogContext({ correlationId }, next);
}
