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
    ['an unknown profile field', { data: { changes: { shoeSize: 44 } } }, /data.changes.shoeSize is not a field/],
    ['a wrongly typed field', { data: { changes: { galleraActiveRoosters: 'many' } } }, /data.changes.galleraActiveRoosters has the wrong type/],
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

describe('pets contracts', () => {
  const pet = (type: string, data: unknown) => ({ ...valid(), type, aggregateType: 'pet', data });
  const owner = '0190f5d2-0000-7000-8000-000000000001';
  const fields = { ownerId: owner, name: 'Rex', species: 'dog', breed: null, weightKg: 12.5, emergencyContactUserId: null, emergencyContactName: null, emergencyContactPhone: null };

  it('accepts a registration, an edit and a derived sync', () => {
    expect(parseEvent(pet('PetRegistered', fields)).type).toBe('PetRegistered');
    expect(parseEvent(pet('PetUpdated', { changes: { weightKg: 13 }, previous: { weightKg: 12.5 }, unconditional: true })).type).toBe('PetUpdated');
    const synced = { rule: 'weight-from-health-record', changes: { weightKg: 14 }, previous: { weightKg: 13 }, userId: owner, sourceEventId: owner, forced: false };
    expect(parseEvent(pet('PetSynced', synced)).type).toBe('PetSynced');
  });

  it.each([
    ['a missing field', 'PetRegistered', (({ name: _n, ...rest }) => rest)(fields), /data.name is missing/],
    ['an unknown field', 'PetUpdated', { changes: { colour: 'red' }, previous: {}, unconditional: false }, /colour is not a field/],
    ['a malformed id', 'PetRegistered', { ...fields, ownerId: 'nope' }, /ownerId has the wrong type/],
    ['an unknown rule', 'PetSynced', { rule: 'magic', changes: {}, previous: {}, userId: null, sourceEventId: null, forced: false }, /data.rule must be one of contact-from-profile, weight-from-pet/],
  ])('rejects %s', (_what, type, data, message) => {
    expect(() => parseEvent(pet(type, data))).toThrow(message);
  });
});
