import { backoffDelay, DEFAULT_RETRY_POLICY, retryDecision } from './backoff';
import { classifyStatus, parseRetryAfter } from './classify';
import { TokenBucket } from './token-bucket';

const policy = DEFAULT_RETRY_POLICY;

describe('backoffDelay', () => {
  it('doubles from 1 s and stays within [half, full] of the capped exponential', () => {
    expect([1, 2, 3].map((a) => backoffDelay(a, policy, () => 0))).toEqual([500, 1000, 2000]);
    expect([1, 2, 3].map((a) => backoffDelay(a, policy, () => 1))).toEqual([1000, 2000, 4000]);
    expect(backoffDelay(10, policy, () => 1)).toBe(10_000);
    expect(backoffDelay(10, policy, () => 0)).toBe(5_000);
  });
});

describe('retryDecision', () => {
  const half = () => 0.5;
  it('retries network, 5xx and rate limits, up to 3 attempts', () => {
    expect(retryDecision('network', 1, policy, undefined, half)).toEqual({ retry: true, delayMs: 750 });
    expect(retryDecision('upstream_5xx', 2, policy, undefined, half)).toEqual({ retry: true, delayMs: 1500 });
    expect(retryDecision('upstream_5xx', 3, policy, undefined, half)).toEqual({ retry: false, reason: 'attempts_exhausted' });
  });

  it('never retries auth or validation failures', () => {
    expect(retryDecision('auth', 1, policy, undefined, half)).toEqual({ retry: false, reason: 'not_retryable' });
    expect(retryDecision('validation', 1, policy, 1000, half)).toEqual({ retry: false, reason: 'not_retryable' });
  });

  it('waits exactly what Retry-After says, and gives up when it asks for too long', () => {
    expect(retryDecision('rate_limit', 1, policy, 7000, half)).toEqual({ retry: true, delayMs: 7000 });
    expect(retryDecision('rate_limit', 1, policy, 120_000, half)).toEqual({ retry: false, reason: 'retry_after_too_long' });
  });
});

describe('classifyStatus', () => {
  it.each([
    [200, undefined], [401, 'auth'], [403, 'auth'], [429, 'rate_limit'], [500, 'upstream_5xx'], [503, 'upstream_5xx'],
    [408, 'upstream_5xx'], [400, 'validation'], [404, 'validation'], [422, 'validation'],
  ])('%i is %s', (status, expected) => expect(classifyStatus(status)).toBe(expected));
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
  });
  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then one request per 1/rate seconds', () => {
    const b = new TokenBucket(2, 2, 0);
    expect([b.take(0), b.take(0)]).toEqual([0, 0]);
    expect(b.take(0)).toBe(500);
    expect(b.take(250)).toBe(250);
    expect(b.take(500)).toBe(0);
  });
});
