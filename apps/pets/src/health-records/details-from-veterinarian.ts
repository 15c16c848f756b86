import type { SyncPlan } from '../copies/sync-plan';
import { vetRule, type VeterinarianState } from '../veterinarians/veterinarian';
import type { HealthRecordState } from './health-record';

/** A veterinarian's clinic and phone → every health record from that vet. */
export const healthRecordDetailsFromVet = (vet: VeterinarianState, records: HealthRecordState[]): SyncPlan<'health-record'>[] =>
  records.filter((r) => r.fields.vetId === vet.id).map((target) => ({ target, wanted: { clinicName: vet.fields.clinicName, vetPhone: vet.fields.phone }, meta: vetRule(vet) }));
