import type { UpstreamErrorClass } from '@ripple/contracts';

/** The class of an HTTP status that is not a success, or undefined for 2xx/3xx. */
export function classifyStatus(status: number): UpstreamErrorClass | undefined {
  if (status < 400) return undefined;
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limit';
  // 408 and 5xx say nothing about our request being wrong: try again.
  if (status === 408 || status >= 500) return 'upstream_5xx';
  return 'validation';
}

/** A thrown fetch failure (no response): always a network problem, a timeout included. */
export function describeNetworkFailure(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'request timed out';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? 'network failure';
}

/**
 * Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Returns milliseconds to wait, or undefined when absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
