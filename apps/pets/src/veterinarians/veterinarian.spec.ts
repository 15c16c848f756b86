import type { VeterinarianEvent } from '@ripple/contracts';
import { VersionConflictError } from '@ripple/errors';
import { deciderSpec } from '@ripple/testing';
import { NotAVeterinarianError } from '../pets.errors';
import { evolveVeterinarian, registerVeterinarian, syncVeterinarian, updateVeterinarian, type VeterinarianState } from './veterinarian';

const spec = deciderSpec<VeterinarianState, VeterinarianEvent>({ evolve: evolveVeterinarian, aggregateType: 'veterinarian', aggregateId: 'v1' });
const vet = { name: 'Dr Vera', clinicName: 'West', phone: null, email: null, userId: 'u-vet', createdBy: 'o' };
const registered = { type: 'VeterinarianRegistered', data: vet } as const;

describe('registerVeterinarian', () => {
  it('links a user with the veterinarian role', () => {
    spec.given().when(() => registerVeterinarian({ name: 'Dr Vera', clinicName: 'West', linked: { userId: 'u-vet', role: 'veterinarian' }, createdBy: 'o' }))
      .then([registered]);
  });

  it('refuses to link a user without the veterinarian role', () => {
    spec.given().when(() => registerVeterinarian({ name: 'Dr Vera', clinicName: 'West', linked: { userId: 'u-x', role: 'pet_owner' }, createdBy: 'o' }))
      .thenThrows(NotAVeterinarianError, (err) => expect(err.userId).toBe('u-x'));
  });
});

describe('updateVeterinarian', () => {
  it('emits what changes, clears with null, and refuses a stale version', () => {
    const given = spec.given(registered);
    given.when((v) => updateVeterinarian(v, { clinicName: 'East', phone: '7', email: null })).then([
      { type: 'VeterinarianUpdated', data: { changes: { clinicName: 'East', phone: '7' }, previous: { clinicName: 'West', phone: null }, unconditional: true } },
    ]);
    given.when((v) => updateVeterinarian(v, { name: 'Dr V' }, 3)).thenThrows(VersionConflictError);
  });

  it('a phone synced from the profile is not an edit: a later profile phone still wins over it', () => {
    const meta = { rule: 'contact-from-profile', userId: 'u-vet', sourceEventId: null, forced: false } as const;
    const synced = spec.given(registered).when((v) => syncVeterinarian(v, { phone: '9' }, meta)).then([
      { type: 'VeterinarianSynced', data: { changes: { phone: '9' }, previous: { phone: null }, ...meta } },
    ]);
    expect(synced.editedAt).not.toHaveProperty('phone');
  });
});
