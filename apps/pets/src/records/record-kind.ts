import type { PetsAggregate } from '@ripple/contracts';
import type { Decided, RecordEvent, RecordFields, RecordState, SyncMeta } from './record-state';

export const PETS_SCHEMA = 'pets';

/** What the shared store and copy engine need to know of one aggregate; each aggregate declares its own. */
export interface RecordKind<A extends PetsAggregate> {
  aggregate: A;
  table: string;
  /** The contract's field names, one column each (snake_case). */
  fields: readonly string[];
  /** Pets and health records also remember who last set their weight. */
  tracksWeight: boolean;
  evolve: (state: RecordState<A> | undefined, event: RecordEvent<A>) => RecordState<A>;
  /** The `…Synced` decision: what a copy rule's wanted values change on this record. */
  sync: (state: RecordState<A>, wanted: Partial<RecordFields<A>>, meta: SyncMeta) => Decided<RecordEvent<A>>[];
  /** The event type of that decision (the sync log and the reactors tell copies from edits by it). */
  syncedType: `${string}Synced`;
}

export const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
export const tableOf = (kind: { table: string }) => `${PETS_SCHEMA}.${kind.table}`;

/** What a kind says about its table, whatever its aggregate. */
export type TableOf = Pick<RecordKind<PetsAggregate>, 'aggregate' | 'table' | 'fields' | 'tracksWeight' | 'syncedType'>;

export function columnsOf(kind: TableOf): string[] {
  return ['id', 'version', ...kind.fields.map(snake), ...(kind.tracksWeight ? ['weight_source_event_id'] : []), 'edited_at', 'created_at', 'updated_at'];
}

export function toRow(s: RecordState<PetsAggregate>, tracksWeight: boolean): Record<string, unknown> {
  const row: Record<string, unknown> = { id: s.id, version: s.version, edited_at: s.editedAt, created_at: s.createdAt, updated_at: s.updatedAt };
  for (const [k, v] of Object.entries(s.fields)) row[snake(k)] = v;
  if (tracksWeight) row.weight_source_event_id = s.weightSourceEventId;
  return row;
}

export function fromRow<A extends PetsAggregate>(kind: RecordKind<A>, row: Record<string, any>): RecordState<A> {
  // The row holds every field of the contract (the table is the record's snapshot).
  const fields = Object.fromEntries(kind.fields.map((k) => [k, row[snake(k)] ?? null])) as RecordFields<A>;
  return {
    aggregate: kind.aggregate, id: row.id, version: row.version, fields, weightSourceEventId: row.weight_source_event_id ?? null, editedAt: row.edited_at ?? {},
    createdAt: new Date(row.created_at).toISOString(), updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** What the API shows of a record. */
export const recordView = (s: RecordState<PetsAggregate>) => ({ id: s.id, ...s.fields, version: s.version, createdAt: s.createdAt, updatedAt: s.updatedAt });
