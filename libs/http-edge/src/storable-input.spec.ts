import { findInputProblem, inputProblemError, MAX_JSON_DEPTH } from './storable-input';

const nested = (levels: number): unknown => (levels === 0 ? 'leaf' : { a: nested(levels - 1) });

describe('findInputProblem', () => {
  it('accepts ordinary input, including paired surrogates (emoji)', () => {
    expect(findInputProblem({ profileInfo: { fullName: 'José 😀', n: 3, tags: ['a', null, true] } })).toBeUndefined();
    expect(findInputProblem(undefined)).toBeUndefined();
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['a lone high surrogate', 'x\uD800'],
    ['a lone low surrogate', '\uDC00x'],
    ['surrogates in the wrong order', '\uDC00\uD800'],
  ])('names the field of a string holding %s', (_what, text) => {
    expect(findInputProblem({ profileInfo: { items: ['ok', text] } })).toEqual({ kind: 'unstorable', field: 'profileInfo.items.1' });
  });

  it('names a key PostgreSQL cannot store', () => {
    expect(findInputProblem({ meta: { 'k\u0000': 1 } })).toEqual({ kind: 'unstorable', field: 'meta.k\\u0000' });
  });

  it(`allows ${MAX_JSON_DEPTH} levels of nesting and refuses one more`, () => {
    expect(findInputProblem(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(findInputProblem(nested(MAX_JSON_DEPTH + 1))?.kind).toBe('too_deep');
  });

  it('stops at the limit however deep the input goes', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findInputProblem(deep)?.kind).toBe('too_deep');
  });

  it('gives a 400 body naming the field', () => {
    expect(inputProblemError({ kind: 'unstorable', field: 'name' }, 'request body')).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'name: must not contain NUL characters or unpaired UTF-16 surrogates',
      fields: [{ field: 'name', errors: ['must not contain NUL characters or unpaired UTF-16 surrogates'] }],
    });
    expect(inputProblemError({ kind: 'unstorable', field: '' }, 'query').fields).toEqual([{ field: 'query', errors: expect.any(Array) }]);
    expect(inputProblemError({ kind: 'too_deep', field: 'a.a' }, 'request body').code).toBe('BODY_TOO_DEEP');
  });
});
