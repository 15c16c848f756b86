import type { UpstreamErrorClass } from '@ripple/contracts';

/**
 * A failed call to an external API, classified so each class gets its own
 * treatment: network and upstream_5xx are retried with backoff, rate_limit waits
 * for Retry-After, auth and validation fail at once (retrying cannot help).
 */
export class UpstreamError extends Error {
  readonly code = 'UPSTREAM_ERROR';
  constructor(
    readonly errorClass: UpstreamErrorClass,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; attempts?: number; url?: string; body?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isRetryable = (c: UpstreamErrorClass): boolean => c === 'network' || c === 'upstream_5xx' || c === 'rate_limit';
