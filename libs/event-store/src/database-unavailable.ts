/**
 * Whether an error means "PostgreSQL cannot be reached right now" rather than
 * "this statement is wrong": the one place that tells them apart. The HTTP edge
 * answers the first with 503 and a Retry-After; consumers and relays wait and
 * try again instead of counting it against an event.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  return causes(err).some(unavailable);
}

/** Stable code clients see while the database is unreachable. */
export const DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE';

// SQLSTATE: class 08 connection exception; 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now; 53300 too_many_connections.
const SQLSTATE = /^(08...|57P0[123]|53300)$/;
// Socket failures while connecting or mid-query.
const SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
// node-postgres and pg-pool say these without a code.
const DRIVER_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Query read timeout)/;

function unavailable(e: { code?: unknown; message?: unknown }): boolean {
  const code = typeof e.code === 'string' ? e.code : '';
  return SQLSTATE.test(code) || SOCKET.has(code) || (typeof e.message === 'string' && DRIVER_MESSAGE.test(e.message));
}

/** The error and what it wraps: TypeORM's driverError, a cause, an AggregateError's errors. */
function causes(err: unknown, depth = 0): { code?: unknown; message?: unknown }[] {
  if (typeof err !== 'object' || err === null || depth > 5) return [];
  const e = err as { driverError?: unknown; cause?: unknown; errors?: unknown };
  const inner = [e.driverError, e.cause, ...(Array.isArray(e.errors) ? e.errors : [])];
  return [err as { code?: unknown }, ...inner.flatMap((i) => causes(i, depth + 1))];
}
