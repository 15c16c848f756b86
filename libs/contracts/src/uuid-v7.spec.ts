import { pooledRandomBytes, uuidv7 } from './uuid-v7';

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

describe('pooledRandomBytes', () => {
  it('hands out fresh bytes on every call, across refills of its pool, and refuses more than a pool', () => {
    // 12-byte draws do not divide 4 KiB: the pool is refilled mid-way, never returning a partial or reused view.
    const draws = Array.from({ length: 2000 }, () => Buffer.from(pooledRandomBytes(12)).toString('hex'));
    expect(draws.every((d) => d.length === 24)).toBe(true);
    expect(new Set(draws).size).toBe(draws.length);
    expect(() => pooledRandomBytes(4097)).toThrow(RangeError);
  });
});
