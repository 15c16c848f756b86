import type { FieldValue, PetsEvent } from '@ripple/contracts';
import { isSynced, tableKindOf } from '../records/record-kinds';

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

type Logged = Pick<SyncLogEntry, 'rule' | 'status' | 'userId'>;

/**
 * Sync log rows: every derived change field by field (what, where, old → new,
 * from which event, for which user), and every field a pet edit without
 * If-Match overwrote (last writer wins; the losing value is kept here).
 */
export function logEntriesOf(e: PetsEvent): SyncLogEntry[] {
  if (isSynced(e)) return entries(e, e.data, { rule: e.data.rule, status: e.data.forced ? 'forced' : 'synced', userId: e.data.userId });
  if (e.type === 'PetUpdated' && e.data.unconditional) return entries(e, e.data, { rule: 'last-writer-wins', status: 'overwritten', userId: e.actor });
  return [];
}

type FieldMap = { readonly [field: string]: FieldValue | undefined };

function entries(e: PetsEvent, data: { changes: FieldMap; previous: FieldMap }, logged: Logged): SyncLogEntry[] {
  return Object.entries(data.changes).map(([field, newValue]) => ({
    eventId: e.id, field, tableName: tableKindOf(e.aggregateType).table, recordId: e.aggregateId, oldValue: data.previous[field] ?? null, newValue: newValue ?? null, ...logged,
    causeEventId: e.causationId, correlationId: e.correlationId, occurredAt: e.occurredAt,
  }));
}
