import type { EntityManager } from 'typeorm';
import type { DomainEvent, PetsEvent } from '@ripple/contracts';
import { causedBy, type CopySync } from '../copies/copy-sync';
import { isPetsEvent } from '../records/record-kinds';

/** The last event of a batch that calls for each pet's weight, or each changed health record's pet, to be re-derived. */
export interface WeightTriggers {
  pets: Map<string, PetsEvent>;
  /** Health records whose weight or date a person changed: their pet is looked up. */
  healthRecords: Map<string, PetsEvent>;
}

/**
 * Only a person's edits (`…Updated`, `…Recorded`) of a weight trigger the
 * weight rule; `…Synced` events are its own output and never do, so the
 * bidirectional sync cannot loop.
 */
export function weightTriggersOf(events: DomainEvent[]): WeightTriggers {
  const t: WeightTriggers = { pets: new Map(), healthRecords: new Map() };
  for (const e of events.filter(isPetsEvent)) {
    switch (e.type) {
      case 'PetUpdated':
        if ('weightKg' in e.data.changes) t.pets.set(e.aggregateId, e);
        break;
      case 'HealthRecordRecorded':
        t.pets.set(e.data.petId, e);
        break;
      case 'HealthRecordUpdated':
        if ('weightKg' in e.data.changes || 'visitDate' in e.data.changes) t.healthRecords.set(e.aggregateId, e);
        break;
      default:
        break;
    }
  }
  return t;
}

/** Pets → pets reactor: a pet's weight ↔ its latest health record, whichever a person set later. */
export async function syncWeightWhenWeightEdited(tx: EntityManager, copies: CopySync, events: DomainEvent[]): Promise<void> {
  const triggers = weightTriggersOf(events);
  if (triggers.healthRecords.size) {
    const rows = await tx.query('SELECT id, pet_id FROM pets.health_records WHERE id = ANY($1::uuid[])', [[...triggers.healthRecords.keys()]]);
    for (const r of rows) triggers.pets.set(r.pet_id, triggers.healthRecords.get(r.id)!);
  }
  await copies.forPetWeights(tx, [...triggers.pets.keys()].sort(), (petId) => causedBy(triggers.pets.get(petId)!), false);
}
