import type { UpstreamErrorClass } from '@ripple/contracts';
import { isRetryable } from './upstream.errors';

export interface RetryPolicy {
  /** Total attempts, the first one included. */
  attempts: number;
  minDelayMs: number;
  maxDelayMs: number;
  /** The longest Retry-After we agree to wait; a longer one fails the call as rate_limit. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 3, minDelayMs: 1000, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 };

/**
 * Exponential backoff with "equal jitter": half the exponential delay is kept so
 * retries never fire back to back, the other half is random so many clients
 * failing together do not retry in lockstep. `attempt` is the one that failed (1-based).
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const exp = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: 'not_retryable' | 'attempts_exhausted' | 'retry_after_too_long' };

/** Whether to try again after `attempt` failed with `errorClass`, and after how long. */
export function retryDecision(
  errorClass: UpstreamErrorClass,
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number,
): RetryDecision {
  if (!isRetryable(errorClass)) return { retry: false, reason: 'not_retryable' };
  if (attempt >= policy.attempts) return { retry: false, reason: 'attempts_exhausted' };
  if (retryAfterMs !== undefined && (errorClass === 'rate_limit' || errorClass === 'upstream_5xx')) {
    // The server said when it will take us again: waiting less would just burn an attempt.
    if (retryAfterMs > policy.maxRetryAfterMs) return { retry: false, reason: 'retry_after_too_long' };
    return { retry: true, delayMs: retryAfterMs };
  }
  return { retry: true, delayMs: backoffDelay(attempt, policy, random) };
}
