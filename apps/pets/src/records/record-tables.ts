import { PETS_RECORD_TYPES, type PetsAggregate } from '@ripple/contracts';
import type { Fields, RecordState } from './record';

export const PETS_SCHEMA = 'pets';

/** Where each record lives; pets and health records also remember who last set their weight. */
export const RECORD_TABLES: Record<PetsAggregate, { table: string; tracksWeight: boolean }> = {
  pet: { table: 'pets', tracksWeight: true },
  veterinarian: { table: 'veterinarians', tracksWeight: false },
  'health-record': { table: 'health_records', tracksWeight: true },
  'lost-pet': { table: 'lost_pets', tracksWeight: false },
  'user-event': { table: 'user_events', tracksWeight: false },
};

export const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
export const tableOf = (aggregate: PetsAggregate) => `${PETS_SCHEMA}.${RECORD_TABLES[aggregate].table}`;

export function columnsOf(aggregate: PetsAggregate): string[] {
  const fields = Object.keys(PETS_RECORD_TYPES[aggregate].fields).map(snake);
  return ['id', 'version', ...fields, ...(RECORD_TABLES[aggregate].tracksWeight ? ['weight_source_event_id'] : []), 'edited_at', 'created_at', 'updated_at'];
}

export function toRow(s: RecordState): Record<string, unknown> {
  const row: Record<string, unknown> = { id: s.id, version: s.version, edited_at: s.editedAt, created_at: s.createdAt, updated_at: s.updatedAt };
  for (const [k, v] of Object.entries(s.fields)) row[snake(k)] = v;
  if (RECORD_TABLES[s.aggregate].tracksWeight) row.weight_source_event_id = s.weightSourceEventId;
  return row;
}

export function fromRow(aggregate: PetsAggregate, row: Record<string, any>): RecordState {
  const fields: Fields = {};
  for (const k of Object.keys(PETS_RECORD_TYPES[aggregate].fields)) fields[k] = row[snake(k)] ?? null;
  return {
    aggregate, id: row.id, version: row.version, fields, weightSourceEventId: row.weight_source_event_id ?? null, editedAt: row.edited_at ?? {},
    createdAt: new Date(row.created_at).toISOString(), updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** What the API shows of a record. */
export const recordView = (s: RecordState) => ({ id: s.id, ...s.fields, version: s.version, createdAt: s.createdAt, updatedAt: s.updatedAt });
