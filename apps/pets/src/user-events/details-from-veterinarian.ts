import type { SyncPlan } from '../copies/sync-plan';
import { vetRule, type VeterinarianState } from '../veterinarians/veterinarian';
import type { UserEventState } from './user-event';

/** A veterinarian's name and phone → every user event (appointment) with that vet. */
export const userEventDetailsFromVet = (vet: VeterinarianState, events: UserEventState[]): SyncPlan<'user-event'>[] =>
  events.filter((e) => e.fields.vetId === vet.id).map((target) => ({ target, wanted: { veterinarianName: vet.fields.name, vetPhone: vet.fields.phone }, meta: vetRule(vet) }));
