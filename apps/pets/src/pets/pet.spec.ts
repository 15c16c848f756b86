import type { PetEvent } from '@ripple/contracts';
import { VersionConflictError } from '@ripple/errors';
import { deciderSpec } from '@ripple/testing';
import { evolvePet, registerPet, syncPet, updatePet, type PetState } from './pet';

const spec = deciderSpec<PetState, PetEvent>({ evolve: evolvePet, aggregateType: 'pet', aggregateId: 'p1' });
const pet = { ownerId: 'o', name: 'Rex', species: 'dog', breed: null, weightKg: 12, emergencyContactUserId: null, emergencyContactName: null, emergencyContactPhone: null };
const registered = { type: 'PetRegistered', data: pet } as const;
const renamed = { type: 'PetUpdated', data: { changes: { name: 'Max' }, previous: { name: 'Rex' }, unconditional: true } } as const;
const contactRule = { rule: 'contact-from-profile', userId: 'o', sourceEventId: null, forced: false } as const;
const weightRule = (sourceEventId: string) => ({ rule: 'weight-from-health-record', userId: 'o', sourceEventId, forced: false }) as const;
const carl = { userId: 'u-carl', name: 'Carl', phone: '+1 222' };

describe('registerPet', () => {
  it('sets the fields and makes the registration the weight source', () => {
    const s = spec.given().when(() => registerPet({ ownerId: 'o', name: 'Rex', species: 'dog', weightKg: 12, emergencyContact: null })).then([registered]);
    expect(s).toMatchObject({ id: 'p1', version: 1, fields: pet, weightSourceEventId: 'e1', createdAt: '2026-01-01T00:00:01.000Z' });
  });

  it('copies the emergency contact’s name and phone; without a weight there is no weight source', () => {
    const s = spec.given().when(() => registerPet({ ownerId: 'o', name: 'Rex', species: 'dog', breed: 'lab', emergencyContact: carl })).then([{
      type: 'PetRegistered',
      data: { ...pet, breed: 'lab', weightKg: null, emergencyContactUserId: 'u-carl', emergencyContactName: 'Carl', emergencyContactPhone: '+1 222' },
    }]);
    expect(s.weightSourceEventId).toBeNull();
  });
});

describe('updatePet', () => {
  it('emits only what changes, with what it overwrote', () => {
    const given = spec.given(registered);
    given.when((s) => updatePet(s, { name: 'Rex', weightKg: 13, breed: undefined })).then([
      { type: 'PetUpdated', data: { changes: { weightKg: 13 }, previous: { weightKg: 12 }, unconditional: true } },
    ]);
    given.when((s) => updatePet(s, { name: 'Rex' })).then([]);
  });

  it('sets or clears the emergency contact as a whole; leaving it out keeps it', () => {
    const withCarl = spec.given(registered).when((s) => updatePet(s, { emergencyContact: carl })).then([{
      type: 'PetUpdated',
      data: {
        changes: { emergencyContactUserId: 'u-carl', emergencyContactName: 'Carl', emergencyContactPhone: '+1 222' },
        previous: { emergencyContactUserId: null, emergencyContactName: null, emergencyContactPhone: null }, unconditional: true,
      },
    }]);
    expect(withCarl.fields.emergencyContactName).toBe('Carl');
    spec.given(registered, { type: 'PetUpdated', data: { changes: { emergencyContactUserId: 'u-carl', emergencyContactName: 'Carl' }, previous: {}, unconditional: true } })
      .when((s) => updatePet(s, { emergencyContact: null })).then([{
        type: 'PetUpdated',
        data: { changes: { emergencyContactUserId: null, emergencyContactName: null }, previous: { emergencyContactUserId: 'u-carl', emergencyContactName: 'Carl' }, unconditional: true },
      }]);
    spec.given(registered).when((s) => updatePet(s, { emergencyContact: undefined, name: 'Bo' })).then([
      { type: 'PetUpdated', data: { changes: { name: 'Bo' }, previous: { name: 'Rex' }, unconditional: true } },
    ]);
  });

  it('refuses a stale expected version, naming the current one', () => {
    const given = spec.given(registered, renamed);
    given.when((s) => updatePet(s, { name: 'Bo' }, 1)).thenThrows(VersionConflictError, (err) => expect(err.currentVersion).toBe(2));
    given.when((s) => updatePet(s, { name: 'Bo' }, 2)).then([
      { type: 'PetUpdated', data: { changes: { name: 'Bo' }, previous: { name: 'Max' }, unconditional: false } },
    ]);
  });

  it('remembers when a person last set each field', () => {
    const given = spec.given(registered, renamed);
    expect(given.state.editedAt).toMatchObject({ name: '2026-01-01T00:00:02.000Z', species: '2026-01-01T00:00:01.000Z' });
    expect(given.state.editedAt).not.toHaveProperty('breed'); // left empty at registration: nobody set it
  });
});

describe('syncPet', () => {
  it('a synced copy is not an edit', () => {
    const given = spec.given(registered, renamed);
    const synced = given.when((s) => syncPet(s, { emergencyContactPhone: '+1 9' }, contactRule)).then([
      { type: 'PetSynced', data: { changes: { emergencyContactPhone: '+1 9' }, previous: { emergencyContactPhone: null }, ...contactRule } },
    ]);
    expect(synced.editedAt).toEqual(given.state.editedAt);
  });

  it('a synced weight keeps the source edit as its weight source, so it never counts as a newer edit', () => {
    const next = spec.given(registered).when((s) => syncPet(s, { weightKg: 14 }, weightRule('hr-edit'))).then([
      { type: 'PetSynced', data: { changes: { weightKg: 14 }, previous: { weightKg: 12 }, ...weightRule('hr-edit') } },
    ]);
    expect(next.fields.weightKg).toBe(14);
    expect(next.weightSourceEventId).toBe('hr-edit');
    spec.given(registered, { type: 'PetSynced', data: { changes: { weightKg: 14 }, previous: { weightKg: 12 }, ...weightRule('hr-edit') } })
      .when((s) => syncPet(s, { weightKg: 14 }, weightRule('x'))).then([]);
  });
});
