import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter, type HttpServer } from '@nestjs/common';
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from '@ripple/event-store';
import { RippleError, type HttpErrorStatus } from '@ripple/errors';
import type { JsonLogger } from '@ripple/observability';

/** Seconds a client is told to wait when the database is unreachable. */
export const DATABASE_RETRY_AFTER_S = 5;

/**
 * Errors become `{ success: false, error: { code, message, ... } }`. A domain
 * error (RippleError) gets the status it declares; an unreachable database is a
 * 503 with Retry-After; anything unknown is a 500 whose details go to the log,
 * not the client. Answers through the app's HTTP adapter, so it serves Express
 * (the gateway) and Fastify (the services) alike.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: JsonLogger, private readonly http: HttpServer) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<unknown>();
    if (this.http.isHeadersSent(res)) return;
    const answer = (status: number, error: Record<string, unknown>) => this.http.reply(res, { success: false, error }, status);
    if (err instanceof HttpException) {
      const body = err.getResponse();
      answer(err.getStatus(), typeof body === 'string' ? { code: codeFor(err.getStatus()), message: body } : normalise(body as Record<string, unknown>, err.getStatus()));
      return;
    }
    if (isDatabaseUnavailable(err)) {
      this.logger.event('warn', 'database unavailable', { error: (err as Error)?.message });
      this.http.setHeader(res, 'Retry-After', String(DATABASE_RETRY_AFTER_S));
      answer(503, { code: DATABASE_UNAVAILABLE, message: 'the database is unavailable; retry later' });
      return;
    }
    const status = domainStatus(err);
    if (status) {
      const { message, ...details } = err as Error & Record<string, unknown>;
      answer(status, { ...publicFields(details), code: details.code, message });
      return;
    }
    this.logger.event('error', 'unhandled error', { error: (err as Error)?.message, stack: (err as Error)?.stack });
    answer(500, { code: 'INTERNAL', message: 'internal error' });
  }
}

/** The status a domain error answers with; undefined for anything else (a 500). */
function domainStatus(err: unknown): HttpErrorStatus | undefined {
  return err instanceof RippleError ? err.httpStatus : undefined;
}

function publicFields(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) if (k !== 'stack' && k !== 'cause' && k !== 'name' && k !== 'httpStatus') out[k] = v;
  return out;
}

function normalise(body: Record<string, unknown>, status: number): Record<string, unknown> {
  // Nest's own exceptions say { statusCode, message, error }; ours say { code, message, ... }.
  const { statusCode: _s, error: _e, ...rest } = body;
  return { code: typeof body.code === 'string' ? body.code : codeFor(status), ...rest };
}

function codeFor(status: number): string {
  switch (status) {
    case 400: return 'BAD_REQUEST';
    case 401: return 'UNAUTHORIZED';
    case 403: return 'FORBIDDEN';
    case 404: return 'NOT_FOUND';
    case 409: return 'CONFLICT';
    case 413: return 'PAYLOAD_TOO_LARGE';
    case 415: return 'UNSUPPORTED_MEDIA_TYPE';
    default: return `HTTP_${status}`;
  }
}
