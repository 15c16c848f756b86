import { PETS_RECORD_TYPES, type PetEvent, type PetFields } from '@ripple/contracts';
import type { RecordKind } from '../records/record-kind';
import { created, edited, editOf, eventsOf, synced, syncOf, type Decided, type RecordState, type SyncMeta } from '../records/record-state';

export type PetState = RecordState<'pet'>;

/** A user copied onto the pet as its emergency contact: id, name and phone. */
export interface EmergencyContact {
  userId: string;
  name: string;
  phone: string | null;
}

export interface RegisterPet {
  ownerId: string;
  name: string;
  species: string;
  breed?: string | null;
  weightKg?: number;
  emergencyContact: EmergencyContact | null;
}

export type UpdatePet = Partial<Pick<PetFields, 'name' | 'species' | 'breed' | 'weightKg'>> & {
  /** Absent: unchanged; null: cleared. */
  emergencyContact?: EmergencyContact | null;
};

export function evolvePet(state: PetState | undefined, event: PetEvent): PetState {
  switch (event.type) {
    case 'PetRegistered':
      return created('pet', event);
    case 'PetUpdated':
      return edited(state, event);
    case 'PetSynced':
      return synced(state, event);
    default: {
      const never: never = event;
      throw new Error(`unknown pet event ${(never as { type: string }).type}`);
    }
  }
}

const contactFields = (c: EmergencyContact | null) =>
  ({ emergencyContactUserId: c?.userId ?? null, emergencyContactName: c?.name ?? null, emergencyContactPhone: c?.phone ?? null });

export function registerPet(cmd: RegisterPet): Decided<PetEvent>[] {
  const { ownerId, name, species } = cmd;
  return [{ type: 'PetRegistered', data: { ownerId, name, species, breed: cmd.breed ?? null, weightKg: cmd.weightKg ?? null, ...contactFields(cmd.emergencyContact) } }];
}

/** Only the fields sent change; with an expected version a stale edit is refused, without it the last writer wins per field. */
export function updatePet(pet: PetState, cmd: UpdatePet, expectedVersion?: number): Decided<PetEvent>[] {
  const { emergencyContact, ...fields } = cmd;
  const wanted = emergencyContact === undefined ? fields : { ...fields, ...contactFields(emergencyContact) };
  return eventsOf('PetUpdated', editOf(pet, wanted, expectedVersion));
}

export const syncPet = (pet: PetState, wanted: Partial<PetFields>, meta: SyncMeta): Decided<PetEvent>[] => eventsOf('PetSynced', syncOf(pet, wanted, meta));

export const PET_RECORD: RecordKind<'pet'> = {
  aggregate: 'pet', table: 'pets', fields: Object.keys(PETS_RECORD_TYPES.pet.fields), tracksWeight: true, evolve: evolvePet, sync: syncPet, syncedType: 'PetSynced',
};
