import { canEditPet, canSeeHealthRecord, canSeePet, canSeeUserEvent, canSeeVet } from './access';

const owner = { sub: 'u-owner', role: 'pet_owner' };
const vetUser = { sub: 'u-vet', role: 'veterinarian' };
const stranger = { sub: 'u-x', role: 'pet_owner' };
const admin = { sub: 'u-admin', role: 'admin' };
const pet = { ownerId: 'u-owner' };
const vet = { createdBy: 'u-owner', userId: 'u-vet' };

describe('who sees what', () => {
  it('an owner sees and edits their pet; a stranger neither', () => {
    expect([canSeePet(owner, pet, false), canEditPet(owner, pet)]).toEqual([true, true]);
    expect([canSeePet(stranger, pet, false), canEditPet(stranger, pet)]).toEqual([false, false]);
  });

  it('a vet sees the pets they treat but does not edit them', () => {
    expect(canSeePet(vetUser, pet, true)).toBe(true);
    expect(canSeePet(vetUser, pet, false)).toBe(false);
    expect(canEditPet(vetUser, pet)).toBe(false);
  });

  it('an admin sees everything', () => {
    expect([canSeePet(admin, pet, false), canEditPet(admin, pet), canSeeVet(admin, vet), canSeeUserEvent(admin, { userId: 'u' })]).toEqual([true, true, true, true]);
  });

  it('health records: the owner and the linked vet user', () => {
    expect([canSeeHealthRecord(owner, pet, vet), canSeeHealthRecord(vetUser, pet, vet), canSeeHealthRecord(stranger, pet, vet)]).toEqual([true, true, false]);
  });
});
