import type { PetsEvent } from '@ripple/contracts';
import { VersionConflictError } from '@ripple/errors';
import { deciderSpec } from '@ripple/testing';
import { createRecord, evolveRecord, syncRecord, updateRecord, type RecordState } from './record';

const spec = deciderSpec<RecordState, PetsEvent>({ evolve: evolveRecord, aggregateType: 'pet', aggregateId: 'p1' });
const pet = { ownerId: 'o', name: 'Rex', species: 'dog', breed: null, weightKg: 12, emergencyContactUserId: null, emergencyContactName: null, emergencyContactPhone: null };
const registered = { type: 'PetRegistered', data: pet } as const;
const renamed = { type: 'PetUpdated', data: { changes: { name: 'Max' }, previous: { name: 'Rex' }, unconditional: true } } as const;
const contactRule = { rule: 'contact-from-profile', userId: 'o', sourceEventId: null, forced: false } as const;
const weightRule = (sourceEventId: string) => ({ rule: 'weight-from-health-record', userId: 'o', sourceEventId, forced: false }) as const;

describe('pet record', () => {
  it('registration sets the fields and makes the registration the weight source', () => {
    const s = spec.given().when(() => createRecord('pet', pet)).then([registered]);
    expect(s).toMatchObject({ id: 'p1', version: 1, fields: pet, weightSourceEventId: 'e1', createdAt: '2026-01-01T00:00:01.000Z' });
  });

  it('an edit emits only what changes, with what it overwrote', () => {
    const given = spec.given(registered);
    given.when((s) => updateRecord(s, { name: 'Rex', weightKg: 13, breed: undefined })).then([
      { type: 'PetUpdated', data: { changes: { weightKg: 13 }, previous: { weightKg: 12 }, unconditional: true } },
    ]);
    given.when((s) => updateRecord(s, { name: 'Rex' })).then([]);
  });

  it('refuses a stale expected version, naming the current one', () => {
    const given = spec.given(registered, renamed);
    given.when((s) => updateRecord(s, { name: 'Bo' }, 1)).thenThrows(VersionConflictError, (err) => expect(err.currentVersion).toBe(2));
    given.when((s) => updateRecord(s, { name: 'Bo' }, 2)).then([
      { type: 'PetUpdated', data: { changes: { name: 'Bo' }, previous: { name: 'Max' }, unconditional: false } },
    ]);
  });

  it('remembers when a person last set each field; a synced copy is not an edit', () => {
    const given = spec.given(registered, renamed);
    expect(given.state.editedAt).toMatchObject({ name: '2026-01-01T00:00:02.000Z', species: '2026-01-01T00:00:01.000Z' });
    expect(given.state.editedAt).not.toHaveProperty('breed'); // left empty at registration: nobody set it
    const synced = given.when((s) => syncRecord(s, { emergencyContactPhone: '+1 9' }, contactRule)).then([
      { type: 'PetSynced', data: { changes: { emergencyContactPhone: '+1 9' }, previous: { emergencyContactPhone: null }, ...contactRule } },
    ]);
    expect(synced.editedAt).toEqual(given.state.editedAt);
  });

  it('a synced weight keeps the source edit as its weight source, so it never counts as a newer edit', () => {
    const next = spec.given(registered).when((s) => syncRecord(s, { weightKg: 14 }, weightRule('hr-edit'))).then([
      { type: 'PetSynced', data: { changes: { weightKg: 14 }, previous: { weightKg: 12 }, ...weightRule('hr-edit') } },
    ]);
    expect(next.fields.weightKg).toBe(14);
    expect(next.weightSourceEventId).toBe('hr-edit');
    spec.given(registered, { type: 'PetSynced', data: { changes: { weightKg: 14 }, previous: { weightKg: 12 }, ...weightRule('hr-edit') } })
      .when((s) => syncRecord(s, { weightKg: 14 }, weightRule('x'))).then([]);
  });
});
