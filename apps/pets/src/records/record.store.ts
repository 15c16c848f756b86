import type { EntityManager } from 'typeorm';
import type { CausationContext, EventEnvelope, PetsAggregate, PetsEvent } from '@ripple/contracts';
import type { EventStore, NewEvent } from '@ripple/event-store';
import { evolveRecord, type RecordState } from './record';
import { columnsOf, fromRow, tableOf, toRow } from './record-tables';

/**
 * Persistence of pets records: events go to pets.events and the record's row
 * (its snapshot and read model) is written in the same transaction.
 */
export class RecordStore {
  constructor(private readonly events: EventStore) {}

  /** Rows matching `where` (over the table's columns), locked in id order when `lock` is set. */
  async load(tx: EntityManager, aggregate: PetsAggregate, where: string, params: unknown[], lock = false): Promise<RecordState[]> {
    const rows = await tx.query(`SELECT * FROM ${tableOf(aggregate)} WHERE ${where} ORDER BY id${lock ? ' FOR UPDATE' : ''}`, params);
    return rows.map((r: Record<string, unknown>) => fromRow(aggregate, r));
  }

  async append(tx: EntityManager, state: RecordState | undefined, aggregate: PetsAggregate, id: string, events: NewEvent<PetsEvent>[], ctx: CausationContext): Promise<{ state: RecordState; events: EventEnvelope[] }> {
    const envelopes = await this.events.append(tx, { aggregateType: aggregate, aggregateId: id, expectedVersion: state?.version ?? 0, events, context: ctx });
    const next = envelopes.reduce<RecordState | undefined>((s, e) => evolveRecord(s, e as PetsEvent), state);
    return { state: next!, events: envelopes };
  }

  /** Writes the rows of many records: one statement per table. */
  async save(tx: EntityManager, states: RecordState[]): Promise<void> {
    const byAggregate = new Map<PetsAggregate, RecordState[]>();
    for (const s of states) byAggregate.set(s.aggregate, [...(byAggregate.get(s.aggregate) ?? []), s]);
    for (const [aggregate, list] of byAggregate) {
      const cols = columnsOf(aggregate);
      const set = cols.filter((c) => c !== 'id').map((c) => `${c} = EXCLUDED.${c}`).join(', ');
      await tx.query(
        `INSERT INTO ${tableOf(aggregate)} (${cols.join(', ')})
         SELECT ${cols.join(', ')} FROM jsonb_populate_recordset(NULL::${tableOf(aggregate)}, $1::jsonb)
         ON CONFLICT (id) DO UPDATE SET ${set}`,
        [JSON.stringify(list.map(toRow))],
      );
    }
  }
}
