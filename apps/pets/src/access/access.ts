import type { Fields } from '../records/record';

/** Who is asking (from the bearer token). */
export interface Caller {
  sub: string;
  role: string;
}

export const isAdmin = (c: Caller) => c.role === 'admin';

/** An owner sees their pets, a vet the pets they treat (a health record with them), an admin all. */
export const canSeePet = (c: Caller, pet: Fields, treats: boolean) => isAdmin(c) || pet.ownerId === c.sub || treats;
export const canEditPet = (c: Caller, pet: Fields) => isAdmin(c) || pet.ownerId === c.sub;

/** A vet record belongs to whoever added it and to the vet user it is linked to. */
export const canSeeVet = (c: Caller, vet: Fields) => isAdmin(c) || vet.createdBy === c.sub || vet.userId === c.sub;

/** A health record: the pet's owner and the vet's linked user. */
export const canSeeHealthRecord = (c: Caller, pet: Fields, vet: Fields) => isAdmin(c) || pet.ownerId === c.sub || vet.userId === c.sub;

export const canSeeLostPet = (c: Caller, report: Fields, pet: Fields) => isAdmin(c) || report.reporterId === c.sub || pet.ownerId === c.sub;

export const canSeeUserEvent = (c: Caller, event: Fields) => isAdmin(c) || event.userId === c.sub;
