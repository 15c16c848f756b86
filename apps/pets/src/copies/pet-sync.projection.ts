import type { EntityManager } from 'typeorm';
import type { DomainEvent } from '@ripple/contracts';
import type { ApplyMode, Projection, TableMap } from '@ripple/projections';
import { BatchProjection } from '@ripple/service-host';
import { syncWeightWhenWeightEdited } from '../pets/sync-weight-when-weight-edited';
import { copyDetailsWhenVetChanged } from '../veterinarians/copy-details-when-vet-changed';
import { CopySync } from './copy-sync';

/**
 * The pets → pets reactors on one durable consumer (`pet-sync`): a pet's weight
 * ↔ its latest health record, and a vet's details → their health records and
 * user events. Copies are re-derived once per batch from current truth, so a
 * burst of edits writes each copy once, with the final value, caused by the last
 * edit of the burst.
 */
@BatchProjection()
export class PetSyncProjection implements Projection {
  readonly name = 'pet-sync';
  readonly source = 'pets' as const;
  readonly tables = [];

  constructor(private readonly copies: CopySync) {}

  async apply(tx: EntityManager, events: DomainEvent[], _t: TableMap, mode: ApplyMode): Promise<void> {
    if (mode === 'replay') return;
    await syncWeightWhenWeightEdited(tx, this.copies, events);
    await copyDetailsWhenVetChanged(tx, this.copies, events);
  }
}
