import fc from 'fast-check';
import { changeChunks, classifyChanges } from './change-chunks';

describe('change events', () => {
  it('splits ids into chunks of at most maxIds, in order, with the totals on each', () => {
    const changes = classifyChanges([
      { id: 'a', change: 'added' }, { id: 'b', change: 'added' }, { id: 'c', change: 'changed' }, { id: 'd', change: 'removed' }, { id: 'e', change: 'removed' },
    ]);
    const chunks = changeChunks('run', 'talents', 2, changes, 2);
    expect(chunks.map((c) => [c.chunk, c.chunks, c.added, c.changed, c.removed])).toEqual([
      [1, 3, ['a', 'b'], [], []],
      [2, 3, [], ['c'], ['d']],
      [3, 3, [], [], ['e']],
    ]);
    expect(chunks.every((c) => c.counts.added === 2 && c.counts.changed === 1 && c.counts.removed === 2)).toBe(true);
  });

  it('publishes nothing for an unchanged entity', () => {
    expect(changeChunks('run', 'tags', 1, { added: [], changed: [], removed: [] }, 10)).toEqual([]);
  });

  it('loses and duplicates no id, whatever the sizes', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('added', 'changed', 'removed') as fc.Arbitrary<'added' | 'changed' | 'removed'>, { maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (kinds, max) => {
        const changes = classifyChanges(kinds.map((change, i) => ({ id: `id${i}`, change })));
        const chunks = changeChunks('r', 'e', 1, changes, max);
        for (const kind of ['added', 'changed', 'removed'] as const) expect(chunks.flatMap((c) => c[kind])).toEqual(changes[kind]);
        expect(chunks.every((c) => c.added.length + c.changed.length + c.removed.length <= max)).toBe(true);
      }),
    );
  });
});
