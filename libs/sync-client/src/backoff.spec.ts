import { backoffDelay } from './backoff.js';

describe('backoff', () => {
  it('grows from 1 s to a 30 s ceiling, jittered between the base and the cap', () => {
    expect(backoffDelay(0, { random: () => 1 })).toBe(1000);
    expect(backoffDelay(3, { random: () => 1 })).toBe(8000);
    expect(backoffDelay(10, { random: () => 1 })).toBe(30_000);
    expect(backoffDelay(10, { random: () => 0 })).toBe(1000);
    expect(backoffDelay(4, { random: () => 0.5 })).toBe(8500);
  });
});
