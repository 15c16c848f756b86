import { initialProgress, skipUnfinished } from './run-progress';

describe('skipUnfinished', () => {
  it('leaves failed and transformed entities, and skips every other one with the reason', () => {
    const p = initialProgress([[{ name: 'a' }, { name: 'b' }, { name: 'c' }], [{ name: 'd' }], [{ name: 'e' }]]);
    p.a.status = 'failed';
    p.b.status = 'transformed';
    p.c.status = 'fetching';
    p.d.status = 'fetched';
    skipUnfinished(p, 'a failed');
    expect(Object.values(p).map((e) => [e.entity, e.status, e.skippedBecause ?? null])).toEqual([
      ['a', 'failed', null], ['b', 'transformed', null], ['c', 'skipped', 'a failed'], ['d', 'skipped', 'a failed'], ['e', 'skipped', 'a failed'],
    ]);
  });
});
