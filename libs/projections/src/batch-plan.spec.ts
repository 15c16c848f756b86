import type { DomainEvent } from '@ripple/contracts';
import { planBatch } from './batch-plan';

const ev = (aggregateId: string, aggregateVersion: number): DomainEvent =>
  ({ id: `${aggregateId}-${aggregateVersion}`, aggregateId, aggregateVersion, type: 'UserProfileUpdated' }) as DomainEvent;

describe('planBatch', () => {
  it('applies next versions in order and moves the checkpoint to the last one', () => {
    const plan = planBatch([ev('a', 1), ev('a', 2), ev('b', 4)], new Map([['b', 3]]), new Set());
    expect(plan.outcomes).toEqual(['apply', 'apply', 'apply']);
    expect(plan.toApply.map((e) => e.id)).toEqual(['a-1', 'a-2', 'b-4']);
    expect(plan.checkpoints.get('a')).toEqual({ version: 2, eventId: 'a-2' });
  });

  it('ignores redelivered and duplicated events, also within one batch', () => {
    const plan = planBatch([ev('a', 2), ev('a', 3), ev('a', 3)], new Map([['a', 2]]), new Set());
    expect(plan.outcomes).toEqual(['duplicate', 'apply', 'duplicate']);
  });

  it('holds an event whose predecessor is missing, and everything after it', () => {
    const plan = planBatch([ev('a', 3), ev('a', 4), ev('b', 1)], new Map([['a', 1]]), new Set());
    expect(plan.outcomes).toEqual(['gap', 'gap', 'apply']);
    expect(plan.checkpoints.has('a')).toBe(false);
  });

  it('parks events of an aggregate that has a dead letter, but still drops duplicates', () => {
    const plan = planBatch([ev('a', 1), ev('a', 3), ev('b', 1)], new Map([['a', 1]]), new Set(['a']));
    expect(plan.outcomes).toEqual(['duplicate', 'blocked', 'apply']);
  });
});
