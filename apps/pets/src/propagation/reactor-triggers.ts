import type { DomainEvent, PetsEvent } from '@ripple/contracts';

const PETS_AGGREGATES = new Set(['pet', 'veterinarian', 'health-record', 'lost-pet', 'user-event']);
export const isPetsEvent = (e: DomainEvent): e is PetsEvent => PETS_AGGREGATES.has(e.aggregateType);

/** The last event of a batch that calls for each pet's weight, each health record's pet, or each vet's copies to be re-derived. */
export interface Triggers {
  pets: Map<string, PetsEvent>;
  /** Health records whose weight or date a person changed: their pet is looked up. */
  healthRecords: Map<string, PetsEvent>;
  vets: Map<string, PetsEvent>;
}

const VET_COPIED = ['name', 'clinicName', 'phone'];

/**
 * Only a person's edits (`…Updated`, `…Recorded`) of a weight trigger the
 * weight rule; `…Synced` events are its own output and never do, so the
 * bidirectional sync cannot loop. A vet's copied details trigger the vet rule
 * whether a person or the contact rule changed them (that chain ends at health
 * records and user events, which feed nothing back).
 */
export function triggersOf(events: DomainEvent[]): Triggers {
  const t: Triggers = { pets: new Map(), healthRecords: new Map(), vets: new Map() };
  for (const e of events.filter(isPetsEvent)) {
    const changed = (fields: string[]) => 'changes' in e.data && fields.some((f) => f in (e.data as { changes: object }).changes);
    switch (e.type) {
      case 'PetUpdated':
        if (changed(['weightKg'])) t.pets.set(e.aggregateId, e);
        break;
      case 'HealthRecordRecorded':
        t.pets.set(e.data.petId, e);
        break;
      case 'HealthRecordUpdated':
        if (changed(['weightKg', 'visitDate'])) t.healthRecords.set(e.aggregateId, e);
        break;
      case 'VeterinarianUpdated':
      case 'VeterinarianSynced':
        if (changed(VET_COPIED)) t.vets.set(e.aggregateId, e);
        break;
      default:
        break;
    }
  }
  return t;
}
