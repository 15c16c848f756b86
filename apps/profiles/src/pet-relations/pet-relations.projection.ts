import type { EntityManager } from 'typeorm';
import type { DomainEvent } from '@ripple/contracts';
import type { Projection, TableMap } from '@ripple/projections';
import { BatchProjection } from '@ripple/service-host';
import { mergeRelationChanges } from './relation-refs';

/**
 * Pets → the references that relate people, one row per pet, health record and
 * vet; a batch is one statement. Merged with `||`: an event names only the
 * references it changes.
 */
@BatchProjection()
export class PetRelationsProjection implements Projection {
  readonly name = 'pet-relations';
  readonly source = 'pets' as const;
  readonly tables = ['pet_relations'];
  // One row per record of the batch.
  readonly disjointBatches = true;

  async apply(tx: EntityManager, events: DomainEvent[], t: TableMap): Promise<void> {
    const changes = mergeRelationChanges(events);
    if (!changes.length) return;
    await tx.query(
      `INSERT INTO ${t('pet_relations')} AS r (aggregate_type, aggregate_id, refs)
       SELECT aggregate_type, aggregate_id, refs FROM jsonb_to_recordset($1::jsonb) AS x(aggregate_type text, aggregate_id uuid, refs jsonb)
       ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET refs = r.refs || EXCLUDED.refs`,
      [JSON.stringify(changes.map((c) => ({ aggregate_type: c.aggregateType, aggregate_id: c.aggregateId, refs: c.refs })))],
    );
  }
}
