import type { LostPetFields, PetFields, UserEventFields, VeterinarianFields } from '@ripple/contracts';

/** Who is asking (from the bearer token). */
export interface Caller {
  sub: string;
  role: string;
}

export const isAdmin = (c: Caller) => c.role === 'admin';

type Pet = Pick<PetFields, 'ownerId'>;
type Vet = Pick<VeterinarianFields, 'createdBy' | 'userId'>;

/** An owner sees their pets, a vet the pets they treat (a health record with them), an admin all. */
export const canSeePet = (c: Caller, pet: Pet, treats: boolean) => isAdmin(c) || pet.ownerId === c.sub || treats;
export const canEditPet = (c: Caller, pet: Pet) => isAdmin(c) || pet.ownerId === c.sub;

/** A vet record belongs to whoever added it and to the vet user it is linked to. */
export const canSeeVet = (c: Caller, vet: Vet) => isAdmin(c) || vet.createdBy === c.sub || vet.userId === c.sub;

/** A health record: the pet's owner and the vet's linked user. */
export const canSeeHealthRecord = (c: Caller, pet: Pet, vet: Pick<Vet, 'userId'>) => isAdmin(c) || pet.ownerId === c.sub || vet.userId === c.sub;

export const canSeeLostPet = (c: Caller, report: Pick<LostPetFields, 'reporterId'>, pet: Pet) => isAdmin(c) || report.reporterId === c.sub || pet.ownerId === c.sub;

export const canSeeUserEvent = (c: Caller, event: Pick<UserEventFields, 'userId'>) => isAdmin(c) || event.userId === c.sub;
