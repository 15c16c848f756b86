import { nextStep, retryAfter } from './job-schedule';

const retrying = (attempts: number, nextRetryAt: number) => ({ attempts, nextRetryAt: new Date(nextRetryAt).toISOString(), error: { code: 'X', message: 'x' } });

describe('sync job schedule', () => {
  it('runs operations in order, skipping finished ones and retries not yet due', () => {
    expect(nextStep(3, new Set(), {}, 1000)).toEqual({ run: 0 });
    expect(nextStep(3, new Set([0]), { 1: retrying(1, 5000) }, 1000)).toEqual({ run: 2 });
    expect(nextStep(3, new Set([0]), { 1: retrying(1, 5000) }, 5000)).toEqual({ run: 1 });
  });

  it('waits for the earliest retry when nothing else is left, and is done when all are finished', () => {
    expect(nextStep(3, new Set([0]), { 1: retrying(2, 9000), 2: retrying(1, 7000) }, 1000)).toEqual({ waitUntil: 7000 });
    expect(nextStep(2, new Set([0, 1]), {}, 1000)).toBe('done');
    expect(nextStep(0, new Set(), {}, 1000)).toBe('done');
  });

  it('backs off exponentially, then gives up after the last retry', () => {
    const policy = { retries: 3, backoffMs: 1000 };
    expect([1, 2, 3].map((n) => Date.parse(retryAfter(policy, n, 0)!))).toEqual([1000, 2000, 4000]);
    expect(retryAfter(policy, 4, 0)).toBeUndefined();
    expect(retryAfter({ retries: 0, backoffMs: 1000 }, 1, 0)).toBeUndefined();
  });
});
