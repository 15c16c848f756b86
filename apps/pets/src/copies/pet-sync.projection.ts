import type { EntityManager } from 'typeorm';
import type { DomainEvent } from '@ripple/contracts';
import type { ApplyMode, Projection, TableMap } from '@ripple/projections';
import { syncWeightWhenWeightEdited } from '../pets/sync-weight-when-weight-edited';
import { copyDetailsWhenVetChanged } from '../veterinarians/copy-details-when-vet-changed';
import type { CopySync } from './copy-sync';

/**
 * The pets → pets reactors on one durable consumer (`pet-sync`): a pet's weight
 * ↔ its latest health record, and a vet's details → their health records and
 * user events. Copies are re-derived once per batch from current truth, so a
 * burst of edits writes each copy once, with the final value, caused by the last
 * edit of the burst.
 */
export function petSyncProjection(copies: CopySync): Projection {
  return {
    name: 'pet-sync',
    source: 'pets',
    tables: [],
    async apply(tx: EntityManager, events: DomainEvent[], _t: TableMap, mode: ApplyMode): Promise<void> {
      if (mode === 'replay') return;
      await syncWeightWhenWeightEdited(tx, copies, events);
      await copyDetailsWhenVetChanged(tx, copies, events);
    },
  };
}
