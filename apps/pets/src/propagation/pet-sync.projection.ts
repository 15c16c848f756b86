import type { EntityManager } from 'typeorm';
import type { DomainEvent } from '@ripple/contracts';
import type { ApplyMode, Projection, TableMap } from '@ripple/projections';
import { causedBy } from './contact-sync.projection';
import type { CopySync } from './copy-sync';
import { triggersOf } from './reactor-triggers';

/**
 * Pets → pets reactor: a pet's weight ↔ its latest health record, and a vet's
 * details → their health records and user events. Copies are re-derived once per
 * batch from current truth, so a burst of edits writes each copy once, with the
 * final value, caused by the last edit of the burst.
 */
export function petSyncProjection(copies: CopySync): Projection {
  return {
    name: 'pet-sync',
    source: 'pets',
    tables: [],
    async apply(tx: EntityManager, events: DomainEvent[], _t: TableMap, mode: ApplyMode): Promise<void> {
      if (mode === 'replay') return;
      const triggers = triggersOf(events);
      if (triggers.healthRecords.size) {
        const rows = await tx.query('SELECT id, pet_id FROM pets.health_records WHERE id = ANY($1::uuid[])', [[...triggers.healthRecords.keys()]]);
        for (const r of rows) triggers.pets.set(r.pet_id, triggers.healthRecords.get(r.id)!);
      }
      await copies.forPetWeights(tx, [...triggers.pets.keys()].sort(), (petId) => causedBy(triggers.pets.get(petId)!), false);
      await copies.forVets(tx, [...triggers.vets.keys()].sort(), (vetId) => causedBy(triggers.vets.get(vetId)!), false);
    },
  };
}
