import { InvalidEnvelopeError } from './envelope';
import { decodeEvent, parseEvent, UnknownEventTypeError } from './registry';
import { uuidv7 } from './uuid-v7';

const valid = () => ({
  id: uuidv7(), type: 'UserProfileUpdated', schemaVersion: 1, aggregateType: 'user', aggregateId: 'u1', aggregateVersion: 2,
  occurredAt: new Date().toISOString(), correlationId: 'c', causationId: 'c', actor: 'u1', data: { changes: { venueName: 'A', bio: null } },
});

describe('parseEvent', () => {
  it('accepts a valid event', () => {
    expect(parseEvent(valid()).type).toBe('UserProfileUpdated');
  });

  it.each([
    ['a missing id', { id: undefined }, /id must be a UUID/],
    ['a zero version', { aggregateVersion: 0 }, /aggregateVersion/],
    ['a bad date', { occurredAt: 'yesterday' }, /occurredAt/],
    ['an unknown profile field', { data: { changes: { shoeSize: 44 } } }, /shoeSize is not a profile field/],
    ['a wrongly typed field', { data: { changes: { galleraActiveRoosters: 'many' } } }, /wrong type/],
    ['a version from the future', { schemaVersion: 9 }, /newer than this reader/],
  ])('rejects %s', (_what, patch, message) => {
    expect(() => parseEvent({ ...valid(), ...patch })).toThrow(message);
  });

  it('rejects unknown types and non-JSON payloads with their own errors', () => {
    expect(() => parseEvent({ ...valid(), type: 'Nope' })).toThrow(UnknownEventTypeError);
    expect(() => decodeEvent(Buffer.from('{nope'))).toThrow(InvalidEnvelopeError);
  });
});

describe('uuidv7', () => {
  it('is time-ordered within one process', () => {
    const ids = Array.from({ length: 2000 }, () => uuidv7());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
