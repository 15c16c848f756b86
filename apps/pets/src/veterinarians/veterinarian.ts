import { PETS_RECORD_TYPES, type VeterinarianEvent, type VeterinarianFields } from '@ripple/contracts';
import { NotAVeterinarianError } from '../pets.errors';
import type { RecordKind } from '../records/record-kind';
import { created, edited, editOf, eventsOf, synced, syncOf, type Decided, type RecordState, type SyncMeta } from '../records/record-state';

export type VeterinarianState = RecordState<'veterinarian'>;

export interface RegisterVeterinarian {
  name: string;
  clinicName: string;
  phone?: string;
  email?: string;
  /** The user the record is linked to, with their role (from their contact copy). */
  linked?: { userId: string; role: string };
  createdBy: string;
}

export function evolveVeterinarian(state: VeterinarianState | undefined, event: VeterinarianEvent): VeterinarianState {
  switch (event.type) {
    case 'VeterinarianRegistered':
      return created('veterinarian', event);
    case 'VeterinarianUpdated':
      return edited(state, event);
    case 'VeterinarianSynced':
      return synced(state, event);
    default: {
      const never: never = event;
      throw new Error(`unknown veterinarian event ${(never as { type: string }).type}`);
    }
  }
}

/** Only a user with the veterinarian role may be linked to a vet record. */
export function registerVeterinarian(cmd: RegisterVeterinarian): Decided<VeterinarianEvent>[] {
  if (cmd.linked && cmd.linked.role !== 'veterinarian') throw new NotAVeterinarianError(cmd.linked.userId);
  return [{
    type: 'VeterinarianRegistered',
    data: { name: cmd.name, clinicName: cmd.clinicName, phone: cmd.phone ?? null, email: cmd.email ?? null, userId: cmd.linked?.userId ?? null, createdBy: cmd.createdBy },
  }];
}

export type UpdateVeterinarian = Partial<Pick<VeterinarianFields, 'name' | 'clinicName' | 'phone' | 'email'>>;

export const updateVeterinarian = (vet: VeterinarianState, cmd: UpdateVeterinarian, expectedVersion?: number): Decided<VeterinarianEvent>[] =>
  eventsOf('VeterinarianUpdated', editOf(vet, cmd, expectedVersion));

export const syncVeterinarian = (vet: VeterinarianState, wanted: Partial<VeterinarianFields>, meta: SyncMeta): Decided<VeterinarianEvent>[] =>
  eventsOf('VeterinarianSynced', syncOf(vet, wanted, meta));

/** The vet-details copy rule's meta: the linked vet user, else whoever added the record. */
export const vetRule = (vet: VeterinarianState) => ({ rule: 'veterinarian-details' as const, userId: vet.fields.userId ?? vet.fields.createdBy, sourceEventId: null });

export const VETERINARIAN_RECORD: RecordKind<'veterinarian'> = {
  aggregate: 'veterinarian', table: 'veterinarians', fields: Object.keys(PETS_RECORD_TYPES.veterinarian.fields), tracksWeight: false,
  evolve: evolveVeterinarian, sync: syncVeterinarian, syncedType: 'VeterinarianSynced',
};
