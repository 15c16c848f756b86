import type { DomainEvent } from '@ripple/contracts';

/** The references that relate people, per pets record type: a pet's people, a health record's pet and vet, a vet's user. */
const RELATING_FIELDS: Readonly<Record<string, readonly string[]>> = {
  pet: ['ownerId', 'emergencyContactUserId'],
  'health-record': ['petId', 'vetId'],
  veterinarian: ['userId'],
};

export type RelationRefs = Record<string, string | null>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The relating references an event sets or clears (from `data.changes` for an edit or a sync, `data` for a creation); undefined when it touches none. */
export function relationRefs(event: Pick<DomainEvent, 'aggregateType' | 'data'>): RelationRefs | undefined {
  const fields = RELATING_FIELDS[event.aggregateType];
  if (!fields) return undefined;
  const data = event.data as unknown;
  const source = isObject(data) && isObject(data.changes) ? data.changes : isObject(data) ? data : {};
  const out: RelationRefs = {};
  for (const f of fields) {
    const v = source[f];
    if (v === null || typeof v === 'string') out[f] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/** Folds a batch's events into one merged change per record, in stream order (a record's later event wins). */
export function mergeRelationChanges(events: readonly Pick<DomainEvent, 'aggregateType' | 'aggregateId' | 'data'>[]): { aggregateType: string; aggregateId: string; refs: RelationRefs }[] {
  const merged = new Map<string, { aggregateType: string; aggregateId: string; refs: RelationRefs }>();
  for (const e of events) {
    const refs = relationRefs(e);
    if (!refs) continue;
    const key = `${e.aggregateType}\u0000${e.aggregateId}`;
    const current = merged.get(key);
    if (current) Object.assign(current.refs, refs);
    else merged.set(key, { aggregateType: e.aggregateType, aggregateId: e.aggregateId, refs: { ...refs } });
  }
  return [...merged.values()];
}
