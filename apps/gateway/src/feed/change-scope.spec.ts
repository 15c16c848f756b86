import { directUsers, operationOf, petOf, refChanges, tableNameOf } from './change-scope';

const A = '0190a3c2-0000-7000-8000-00000000000a';
const B = '0190a3c2-0000-7000-8000-00000000000b';
const P = '0190a3c2-0000-7000-8000-0000000000a1';

describe('change scope', () => {
  it('reads references from a creation and from the changes of an edit', () => {
    expect(refChanges({ data: { ownerId: A, name: 'Rex', emergencyContactUserId: null } })).toEqual({ ownerId: A, emergencyContactUserId: null });
    expect(refChanges({ data: { changes: { ownerId: B }, previous: { ownerId: A }, userId: A } })).toEqual({ ownerId: B });
    expect(refChanges({ data: { petId: P, vetId: 'not-a-uuid' } })).toEqual({ petId: P });
  });

  it('names the users a record refers to, and a user their own record', () => {
    expect(directUsers('pet', P, { ownerId: A, emergencyContactUserId: B })).toEqual([A, B]);
    expect(directUsers('pet', P, { ownerId: A, emergencyContactUserId: null })).toEqual([A]);
    expect(directUsers('user', A, {})).toEqual([A]);
  });

  it('finds the pet a record is about', () => {
    expect(petOf('pet', P, {})).toBe(P);
    expect(petOf('health-record', A, { petId: P })).toBe(P);
    expect(petOf('veterinarian', A, {})).toBeUndefined();
  });

  it('classifies operations and names tables', () => {
    expect(operationOf({ type: 'PetRegistered', aggregateVersion: 1 })).toBe('INSERT');
    expect(operationOf({ type: 'VenueSynced', aggregateVersion: 1 })).toBe('INSERT');
    expect(operationOf({ type: 'PetUpdated', aggregateVersion: 4 })).toBe('UPDATE');
    expect(operationOf({ type: 'LostPetRemoved', aggregateVersion: 3 })).toBe('DELETE');
    expect(tableNameOf('health-record')).toBe('health_records');
  });
});
