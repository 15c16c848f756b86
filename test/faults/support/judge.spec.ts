import { judge, type Observed } from './judge';

const w = { acked: ['a', 'b', 'c'], initial: 'init', initialVersion: 1 };
const good: Observed = { profileValue: 'c', profileVersion: 4, venueName: 'c', feedProfileValues: ['a', 'b', 'c'], feedVenueNames: ['a', 'c'] };

describe('judge (the fault checker, for one user)', () => {
  it('passes copies that hold every acknowledged write once, the last as their value', () => {
    expect(judge(good, w)).toEqual({ lost: 0, duplicated: 0, unexpected: 0, converged: true });
  });

  it('counts an acknowledged write missing from the feed, or a copy behind, as lost', () => {
    expect(judge({ ...good, feedProfileValues: ['a', 'c'] }, w)).toMatchObject({ lost: 1, converged: false });
    expect(judge({ ...good, venueName: 'b' }, w)).toMatchObject({ lost: 1, converged: false });
    expect(judge({ ...good, profileValue: 'b', profileVersion: 3 }, w)).toMatchObject({ lost: 1, converged: false });
  });

  it('counts a write applied twice as duplicated', () => {
    expect(judge({ ...good, feedProfileValues: ['a', 'b', 'b', 'c'] }, w)).toMatchObject({ duplicated: 1, converged: false });
    expect(judge({ ...good, profileVersion: 5 }, w)).toMatchObject({ duplicated: 1, converged: false });
  });

  it('counts values nobody wrote as unexpected', () => {
    expect(judge({ ...good, feedVenueNames: ['a', 'zzz'] }, w)).toMatchObject({ unexpected: 1, converged: false });
    expect(judge({ ...good, venueName: 'zzz' }, w)).toMatchObject({ unexpected: 1, lost: 1 });
  });

  it('accepts a write never acknowledged applied once after the last acknowledged one, or not at all', () => {
    const withPending = { ...w, pending: 'd' };
    expect(judge(good, withPending)).toMatchObject({ converged: true });
    expect(judge({ ...good, profileValue: 'd', venueName: 'd', profileVersion: 5, feedProfileValues: ['a', 'b', 'c', 'd'] }, withPending)).toMatchObject({ converged: true, lost: 0 });
  });
});
