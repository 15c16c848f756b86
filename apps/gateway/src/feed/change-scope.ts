import type { EventEnvelope } from '@ripple/contracts';

/**
 * Who may see a change follows from the references its record holds. The rules
 * read field names, not event types, so a new record type or event (a venue
 * synced from a profile, say) is covered as soon as it carries these fields.
 */
export const USER_REF_FIELDS = ['ownerId', 'userId', 'reporterId', 'createdBy', 'emergencyContactUserId'] as const;
export const RECORD_REF_FIELDS = ['petId', 'vetId'] as const;
const REF_FIELDS: readonly string[] = [...USER_REF_FIELDS, ...RECORD_REF_FIELDS];

export type Refs = Record<string, string | null>;
export type Operation = 'INSERT' | 'UPDATE' | 'DELETE';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The references an event sets or clears: from `data.changes` for an edit, from `data` for a creation. */
export function refChanges(event: Pick<EventEnvelope, 'data'>): Refs {
  const data = isObject(event.data) ? event.data : {};
  const fields = isObject(data.changes) ? data.changes : data;
  const out: Refs = {};
  for (const field of REF_FIELDS) {
    const v = fields[field];
    if (v === null || (typeof v === 'string' && UUID.test(v))) out[field] = v;
  }
  return out;
}

/** Users a record names directly; a user's own record names the user. */
export function directUsers(aggregateType: string, aggregateId: string, refs: Refs): string[] {
  const users = USER_REF_FIELDS.map((f) => refs[f]).filter((v): v is string => typeof v === 'string');
  if (aggregateType === 'user' && UUID.test(aggregateId)) users.push(aggregateId);
  return [...new Set(users)];
}

/** The pet whose people see this record: the pet itself, or the pet it is about. */
export const petOf = (aggregateType: string, aggregateId: string, refs: Refs): string | undefined =>
  aggregateType === 'pet' ? aggregateId : (refs.petId ?? undefined);

const CREATED = /(Registered|Recorded|Reported|Scheduled|Created|Added)$/;
const DELETED = /(Deleted|Removed|Archived)$/;

/** INSERT for a record's first event or a creation, DELETE for a removal, UPDATE otherwise. */
export function operationOf(event: Pick<EventEnvelope, 'type' | 'aggregateVersion'>): Operation {
  if (DELETED.test(event.type)) return 'DELETE';
  if (event.aggregateVersion === 1 || CREATED.test(event.type)) return 'INSERT';
  return 'UPDATE';
}

/** `health-record` → `health_records`: the table a client caches this record type in. */
export const tableNameOf = (aggregateType: string) => `${aggregateType.replace(/-/g, '_')}s`;
