import { directUsers, operationOf, petOf, refChanges, tableNameOf, TREATMENT, userOfVet, vetOf } from './change-scope';

const A = '0190a3c2-0000-7000-8000-00000000000a';
const B = '0190a3c2-0000-7000-8000-00000000000b';
const C = '0190a3c2-0000-7000-8000-00000000000c';
const P = '0190a3c2-0000-7000-8000-0000000000a1';
const V = '0190a3c2-0000-7000-8000-0000000000b1';

describe('change scope', () => {
  it('reads the references a contract declares: from a creation, and from the changes of an edit', () => {
    expect(refChanges({ type: 'PetRegistered', data: { ownerId: A, name: 'Rex', emergencyContactUserId: null } })).toEqual({ ownerId: A, emergencyContactUserId: null });
    expect(refChanges({ type: 'PetUpdated', data: { changes: { ownerId: B }, previous: { ownerId: A }, unconditional: true } })).toEqual({ ownerId: B });
    expect(refChanges({ type: 'HealthRecordRecorded', data: { petId: P, vetId: 'not-a-uuid' } })).toEqual({ petId: P });
    expect(refChanges({ type: 'VenueSynced', data: { ownerId: A, created: false, changes: { name: 'Arena' } } })).toEqual({ ownerId: A });
  });

  it('follows no field its contract does not declare, whatever its name', () => {
    // A sync's top-level userId says whom the propagation concerns; the record's references are in its changes.
    expect(refChanges({ type: 'PetSynced', data: { rule: 'weight-from-pet', changes: { weightKg: 3 }, previous: {}, userId: A, sourceEventId: null, forced: false } })).toEqual({});
    expect(refChanges({ type: 'ConnectorRunStarted', data: { connector: 'x', trigger: 'manual', entities: [], ownerId: A } })).toEqual({});
    expect(directUsers('veterinarian', V, { userId: A, createdBy: B, ownerId: C })).toEqual([A, B]);
    expect(directUsers('venue', V, { ownerId: A, userId: B })).toEqual([A]);
  });

  it('names the users a record refers to, and a user their own record', () => {
    expect(directUsers('pet', P, { ownerId: A, emergencyContactUserId: B })).toEqual([A, B]);
    expect(directUsers('pet', P, { ownerId: A, emergencyContactUserId: null })).toEqual([A]);
    expect(directUsers('user', A, {})).toEqual([A]);
    expect(directUsers('connector-run', A, {})).toEqual([]);
  });

  it('finds the pet and the vet a record is about, and the user who is that vet', () => {
    expect(petOf('pet', P, {})).toBe(P);
    expect(petOf('health-record', A, { petId: P })).toBe(P);
    expect(petOf('veterinarian', A, {})).toBeUndefined();
    expect(vetOf('user-event', { vetId: V })).toBe(V);
    expect(vetOf('pet', { ownerId: A })).toBeUndefined();
    expect(userOfVet({ userId: A, createdBy: B })).toBe(A);
    expect(TREATMENT).toEqual({ aggregate: 'health-record', pet: 'petId', vet: 'vetId' });
  });

  it('classifies operations as the contracts declare them, and names tables', () => {
    expect(operationOf({ type: 'PetRegistered', aggregateVersion: 1 })).toBe('INSERT');
    expect(operationOf({ type: 'VenueSynced', aggregateVersion: 1 })).toBe('INSERT');
    expect(operationOf({ type: 'ConnectorRunStarted', aggregateVersion: 3 })).toBe('INSERT');
    expect(operationOf({ type: 'PetUpdated', aggregateVersion: 4 })).toBe('UPDATE');
    expect(operationOf({ type: 'VenueSynced', aggregateVersion: 2 })).toBe('UPDATE');
    expect(tableNameOf('health-record')).toBe('health_records');
  });
});
