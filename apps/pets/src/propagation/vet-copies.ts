import type { RecordState } from '../records/record';
import type { SyncPlan } from './sync-plan';

/** A veterinarian's details → every health record from that vet (clinic, phone) and every user event with them (name, phone). */
export function vetCopies(vet: RecordState, dependents: RecordState[]): SyncPlan[] {
  const v = vet.fields;
  const meta = { rule: 'veterinarian-details' as const, userId: (v.userId ?? v.createdBy) as string, sourceEventId: null };
  return dependents
    .filter((d) => d.fields.vetId === vet.id)
    .flatMap((d): SyncPlan[] => {
      if (d.aggregate === 'health-record') return [{ target: d, wanted: { clinicName: v.clinicName, vetPhone: v.phone }, meta }];
      if (d.aggregate === 'user-event') return [{ target: d, wanted: { veterinarianName: v.name, vetPhone: v.phone }, meta }];
      return [];
    });
}
