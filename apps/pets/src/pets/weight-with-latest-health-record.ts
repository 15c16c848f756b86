import type { AnySyncPlan } from '../copies/sync-plan';
import type { HealthRecordState } from '../health-records/health-record';
import type { PetState } from './pet';

/**
 * Bidirectional weight between a pet and its latest health record: whichever
 * copy was set by the later-accepted person's edit wins, and the other follows.
 * `acceptedAt` orders edits (the event store position of the edit that set the
 * weight). Derived copies keep the source edit's id, so a synced value never
 * counts as a newer edit: no ping-pong, whatever order the reactions run in.
 */
export function weightWithLatestHealthRecord(pet: PetState, latest: HealthRecordState | undefined, acceptedAt: (eventId: string | null) => number): AnySyncPlan | undefined {
  if (!latest) return undefined;
  const petWeight = pet.fields.weightKg;
  const recordWeight = latest.fields.weightKg;
  if (petWeight === recordWeight) return undefined;
  const userId = pet.fields.ownerId;
  const petIsNewer = acceptedAt(pet.weightSourceEventId) >= acceptedAt(latest.weightSourceEventId);
  if (petIsNewer && petWeight !== null) {
    return { target: latest, wanted: { weightKg: petWeight }, meta: { userId, rule: 'weight-from-pet', sourceEventId: pet.weightSourceEventId } };
  }
  if (recordWeight !== null) {
    return { target: pet, wanted: { weightKg: recordWeight }, meta: { userId, rule: 'weight-from-health-record', sourceEventId: latest.weightSourceEventId } };
  }
  return undefined;
}
