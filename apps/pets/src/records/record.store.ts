import type { EntityManager } from 'typeorm';
import type { CausationContext, EventEnvelope, PetsAggregate } from '@ripple/contracts';
import type { EventStore } from '@ripple/event-store';
import { columnsOf, fromRow, tableOf, toRow, type RecordKind } from './record-kind';
import { tableKindOf } from './record-kinds';
import type { Decided, RecordEvent, RecordState } from './record-state';

/**
 * Persistence of pets records: events go to pets.events and the record's row
 * (its snapshot and read model) is written in the same transaction.
 */
export class RecordStore {
  constructor(private readonly events: EventStore) {}

  /** Rows matching `where` (over the table's columns), locked in id order when `lock` is set. */
  async load<A extends PetsAggregate>(tx: EntityManager, kind: RecordKind<A>, where: string, params: unknown[], lock = false): Promise<RecordState<A>[]> {
    const rows = await tx.query(`SELECT * FROM ${tableOf(kind)} WHERE ${where} ORDER BY id${lock ? ' FOR UPDATE' : ''}`, params);
    return rows.map((r: Record<string, unknown>) => fromRow(kind, r));
  }

  async find<A extends PetsAggregate>(tx: EntityManager, kind: RecordKind<A>, id: string, lock = false): Promise<RecordState<A> | undefined> {
    return (await this.load(tx, kind, 'id = $1', [id], lock))[0];
  }

  async append<A extends PetsAggregate>(
    tx: EntityManager, kind: RecordKind<A>, state: RecordState<A> | undefined, id: string, events: Decided<RecordEvent<A>>[], ctx: CausationContext,
  ): Promise<{ state: RecordState<A>; events: EventEnvelope[] }> {
    const envelopes = await this.events.append(tx, { aggregateType: kind.aggregate, aggregateId: id, expectedVersion: state?.version ?? 0, events, context: ctx });
    // The envelopes wrap the events just decided for this record: they are its own events.
    const next = envelopes.reduce<RecordState<A> | undefined>((s, e) => kind.evolve(s, e as RecordEvent<A>), state);
    return { state: next!, events: envelopes };
  }

  /** Writes the rows of many records: one statement per table. */
  async save(tx: EntityManager, states: RecordState<PetsAggregate>[]): Promise<void> {
    const byAggregate = new Map<string, RecordState<PetsAggregate>[]>();
    for (const s of states) byAggregate.set(s.aggregate, [...(byAggregate.get(s.aggregate) ?? []), s]);
    for (const [aggregate, list] of byAggregate) {
      const kind = tableKindOf(aggregate);
      const cols = columnsOf(kind);
      const set = cols.filter((c) => c !== 'id').map((c) => `${c} = EXCLUDED.${c}`).join(', ');
      await tx.query(
        `INSERT INTO ${tableOf(kind)} (${cols.join(', ')})
         SELECT ${cols.join(', ')} FROM jsonb_populate_recordset(NULL::${tableOf(kind)}, $1::jsonb)
         ON CONFLICT (id) DO UPDATE SET ${set}`,
        [JSON.stringify(list.map((s) => toRow(s, kind.tracksWeight)))],
      );
    }
  }
}
