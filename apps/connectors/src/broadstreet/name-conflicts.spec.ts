import fc from 'fast-check';
import { resolveName } from './name-conflicts';

describe('resolveName', () => {
  it('keeps a free name and numbers a taken one from (1)', () => {
    expect(resolveName('Acme', [])).toBe('Acme');
    expect(resolveName('Acme', ['Acme'])).toBe('Acme (1)');
    expect(resolveName('Acme', ['Acme', 'Acme (1)', 'Acme (3)'])).toBe('Acme (2)');
  });

  const base = fc.string({ minLength: 1, maxLength: 12 });
  const taken = (b: string) => fc.array(fc.oneof(fc.constant(b), fc.nat({ max: 8 }).map((n) => `${b} (${n})`), fc.string({ maxLength: 12 })), { maxLength: 20 });

  it('never returns a taken name, and returns the base or the smallest free "(n)"', () => {
    fc.assert(
      fc.property(base.chain((b) => fc.tuple(fc.constant(b), taken(b))), ([b, used]) => {
        const name = resolveName(b, used);
        expect(used).not.toContain(name);
        if (!used.includes(b)) return expect(name).toBe(b);
        const n = Number(/ \((\d+)\)$/.exec(name)![1]);
        expect(name).toBe(`${b} (${n})`);
        for (let k = 1; k < n; k++) expect(used).toContain(`${b} (${k})`);
      }),
    );
  });

  it('gives every entity of one batch its own name when each is added to the taken set in turn', () => {
    fc.assert(
      fc.property(base, fc.nat({ max: 10 }), taken('x'), (b, copies, others) => {
        const used = new Set(others);
        for (let i = 0; i <= copies; i++) used.add(resolveName(b, used));
        expect(used.size).toBe(new Set(others).size + copies + 1);
      }),
    );
  });
});
