import { type FieldValue, type PetsEvent } from '@ripple/contracts';
import { stageOf } from '../records/record';
import { RECORD_TABLES } from '../records/record-tables';

export interface Measurement {
  id: string;
  petId: string;
  weightKg: number;
  sourceEventType: string;
  recordedBy: string;
  recordedAt: string;
}

export type SyncStatus = 'synced' | 'forced' | 'overwritten';
export interface SyncLogEntry {
  eventId: string;
  field: string;
  tableName: string;
  recordId: string;
  oldValue: FieldValue;
  newValue: FieldValue;
  rule: string;
  status: SyncStatus;
  userId: string | null;
  causeEventId: string;
  correlationId: string;
  occurredAt: string;
}

/** Every weight a pet is given (registered, edited, or synced from a health record) is one measurement. */
export function measurementOf(e: PetsEvent): Measurement | undefined {
  const base = { id: e.id, petId: e.aggregateId, sourceEventType: e.type, recordedBy: e.actor, recordedAt: e.occurredAt };
  switch (e.type) {
    case 'PetRegistered':
      return e.data.weightKg === null ? undefined : { ...base, weightKg: e.data.weightKg };
    case 'PetUpdated':
    case 'PetSynced': {
      const w = e.data.changes.weightKg;
      return w === undefined || w === null ? undefined : { ...base, weightKg: w };
    }
    default:
      return undefined;
  }
}

/**
 * Sync log rows: every derived change field by field (what, where, old → new,
 * from which event, for which user), and every field a pet edit without
 * If-Match overwrote (last writer wins; the losing value is kept here).
 */
export function logEntriesOf(e: PetsEvent): SyncLogEntry[] {
  const { aggregate, stage } = stageOf(e.type);
  const data = e.data as { changes?: Record<string, FieldValue>; previous?: Record<string, FieldValue>; rule?: string; userId?: string | null; forced?: boolean; unconditional?: boolean };
  const overwrite = stage === 'updated' && aggregate === 'pet' && data.unconditional === true;
  if (stage !== 'synced' && !overwrite) return [];
  return Object.entries(data.changes ?? {}).map(([field, newValue]) => ({
    eventId: e.id,
    field,
    tableName: RECORD_TABLES[aggregate].table,
    recordId: e.aggregateId,
    oldValue: data.previous?.[field] ?? null,
    newValue,
    rule: overwrite ? 'last-writer-wins' : data.rule!,
    status: overwrite ? 'overwritten' : data.forced ? 'forced' : 'synced',
    userId: overwrite ? e.actor : (data.userId ?? null),
    causeEventId: e.causationId,
    correlationId: e.correlationId,
    occurredAt: e.occurredAt,
  }));
}

