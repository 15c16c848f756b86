import { PETS_RECORD_TYPES, type HealthRecordEvent, type HealthRecordFields } from '@ripple/contracts';
import { canSeeHealthRecord, type Caller } from '../access/access';
import { NotAllowedError } from '../pets.errors';
import type { PetState } from '../pets/pet';
import type { RecordKind } from '../records/record-kind';
import { created, edited, editOf, eventsOf, synced, syncOf, type Decided, type RecordState, type SyncMeta } from '../records/record-state';
import type { VeterinarianState } from '../veterinarians/veterinarian';

export type HealthRecordState = RecordState<'health-record'>;

export interface RecordHealthVisit {
  caller: Caller;
  pet: PetState;
  vet: VeterinarianState;
  weightKg?: number;
  visitDate: string;
  notes?: string;
}

export function evolveHealthRecord(state: HealthRecordState | undefined, event: HealthRecordEvent): HealthRecordState {
  switch (event.type) {
    case 'HealthRecordRecorded':
      return created('health-record', event);
    case 'HealthRecordUpdated':
      return edited(state, event);
    case 'HealthRecordSynced':
      return synced(state, event);
    default: {
      const never: never = event;
      throw new Error(`unknown health record event ${(never as { type: string }).type}`);
    }
  }
}

/** Only the pet's owner or the vet's user records a visit; clinic name and vet phone are copied from the vet. */
export function recordHealthVisit(cmd: RecordHealthVisit): Decided<HealthRecordEvent>[] {
  const { pet, vet } = cmd;
  if (!canSeeHealthRecord(cmd.caller, pet.fields, vet.fields)) throw new NotAllowedError('only the pet owner or this vet may record a visit');
  return [{
    type: 'HealthRecordRecorded',
    data: {
      petId: pet.id, vetId: vet.id, clinicName: vet.fields.clinicName, vetPhone: vet.fields.phone, weightKg: cmd.weightKg ?? null,
      visitDate: cmd.visitDate, notes: cmd.notes ?? '',
    },
  }];
}

export type UpdateHealthRecord = Partial<Pick<HealthRecordFields, 'weightKg' | 'visitDate' | 'notes'>>;

/** A weight corrected here flows to the pet when this is its latest record (the weight rule's reactor). */
export const updateHealthRecord = (record: HealthRecordState, cmd: UpdateHealthRecord, expectedVersion?: number): Decided<HealthRecordEvent>[] =>
  eventsOf('HealthRecordUpdated', editOf(record, cmd, expectedVersion));

export const syncHealthRecord = (record: HealthRecordState, wanted: Partial<HealthRecordFields>, meta: SyncMeta): Decided<HealthRecordEvent>[] =>
  eventsOf('HealthRecordSynced', syncOf(record, wanted, meta));

export const HEALTH_RECORD: RecordKind<'health-record'> = {
  aggregate: 'health-record', table: 'health_records', fields: Object.keys(PETS_RECORD_TYPES['health-record'].fields), tracksWeight: true,
  evolve: evolveHealthRecord, sync: syncHealthRecord, syncedType: 'HealthRecordSynced',
};
