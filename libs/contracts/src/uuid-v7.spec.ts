import { uuidv7 } from './uuid-v7';

describe('uuidv7', () => {
  it('gives RFC 9562 version-7 ids that are unique and strictly increasing, also within one millisecond and across random-pool refills', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(1_800_000_000_000));
    ids.push(...Array.from({ length: 5000 }, () => uuidv7()));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids.slice(0, 3)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('carries the time in its first 48 bits', () => {
    const at = 1_900_000_000_000; // later than any id this module gave before (ids never go back in time)
    expect(parseInt(uuidv7(at).replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });
});
