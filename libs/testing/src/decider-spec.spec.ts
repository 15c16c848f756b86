import { deciderSpec } from './decider-spec';

type Counted = { type: 'Counted'; data: { by: number }; aggregateId: string; aggregateVersion: number; id: string };
interface Counter { id: string; total: number; version: number; lastEventId: string }
class TooMuch extends Error {}

const evolve = (state: Counter | undefined, e: Counted): Counter =>
  ({ id: e.aggregateId, total: (state?.total ?? 0) + e.data.by, version: e.aggregateVersion, lastEventId: e.id });
const count = (state: Counter | undefined, by: number): Counted[] => {
  if ((state?.total ?? 0) + by > 10) throw new TooMuch(`${by}`);
  return by ? [{ type: 'Counted', data: { by } } as Counted] : [];
};
const spec = deciderSpec<Counter, Counted>({ evolve, aggregateType: 'counter', aggregateId: 'c1' });

describe('deciderSpec', () => {
  it('envelopes the given facts as the event store numbers them, and evolves the emitted ones on from there', () => {
    const given = spec.given({ type: 'Counted', data: { by: 2 } }, { type: 'Counted', data: { by: 3 } });
    expect(given.state).toEqual({ id: 'c1', total: 5, version: 2, lastEventId: 'e2' });
    expect(given.when((s) => count(s, 4)).then([{ type: 'Counted', data: { by: 4 } }])).toEqual({ id: 'c1', total: 9, version: 3, lastEventId: 'e3' });
  });

  it('fails when the decision emits other events than expected', () => {
    expect(() => spec.given().when((s) => count(s, 1)).then([{ type: 'Counted', data: { by: 2 } }])).toThrow(/toEqual/);
    expect(() => spec.given().when((s) => count(s, 0)).then([{ type: 'Counted', data: { by: 0 } }])).toThrow(/toEqual/);
  });

  it('thenThrows fails when the decision does not refuse, or refuses with another error', () => {
    spec.given().when((s) => count(s, 11)).thenThrows(TooMuch, (err) => expect(err.message).toBe('11'));
    expect(() => spec.given().when((s) => count(s, 1)).thenThrows(TooMuch)).toThrow(/toBeInstanceOf/);
    expect(() => spec.given().when(() => { throw new RangeError('x'); }).thenThrows(TooMuch)).toThrow(/toBeInstanceOf/);
    expect(() => spec.given().when((s) => count(s, 11)).thenThrows(TooMuch, (err) => expect(err.message).toBe('12'))).toThrow();
  });
});
