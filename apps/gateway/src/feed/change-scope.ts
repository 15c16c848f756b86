import { AUDIENCE_AGGREGATES, EVENT_ROUTES, audienceOf, isKnownEventType, recordChangeOf, type Audience, type DomainEvent, type EventEnvelope } from '@ripple/contracts';

/**
 * Who may see a change is what its event's contract declares (`Audience` in
 * libs/contracts): the payload fields naming users, the pet and the vet it is
 * about. The gateway keeps those references per record (`gateway.scopes`, keyed
 * by field name) and follows them; nothing is inferred from field names here.
 */
export type Refs = Record<string, string | null>;
export type Operation = 'INSERT' | 'UPDATE' | 'DELETE';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An aggregate's reference fields: what its events' audiences declare. */
interface ScopeFields {
  self: boolean;
  users: string[];
  pet?: string;
  vet?: string;
  vetUser?: string;
  treats: boolean;
}

const referenceFields = (a: Audience) => [...(a.users ?? []), ...(a.pet ? [a.pet] : []), ...(a.vet ? [a.vet] : [])];

/** Per event type, computed once: where its references are and which fields hold them. */
const EVENT_REFS = new Map(Object.keys(EVENT_ROUTES).map((type) => {
  const audience = audienceOf(type as DomainEvent['type']);
  return [type, { inChanges: audience.from === 'changes', fields: referenceFields(audience) }];
}));

const SCOPE_FIELDS = new Map<string, ScopeFields>();
for (const [type, { aggregate }] of Object.entries(EVENT_ROUTES)) {
  const a = audienceOf(type as DomainEvent['type']);
  const s = SCOPE_FIELDS.get(aggregate) ?? SCOPE_FIELDS.set(aggregate, { self: false, users: [], treats: false }).get(aggregate)!;
  s.self ||= !!a.self;
  s.treats ||= !!a.treats;
  s.users = [...new Set([...s.users, ...(a.users ?? [])])];
  s.pet ??= a.pet;
  s.vet ??= a.vet;
  s.vetUser ??= a.vetUser;
}
const NONE: ScopeFields = { self: false, users: [], treats: false };
const fieldsOf = (aggregateType: string) => SCOPE_FIELDS.get(aggregateType) ?? NONE;

/** The record type whose vet treats its pet (health records), and its two reference fields. */
export const TREATMENT = (() => {
  const [aggregate, s] = [...SCOPE_FIELDS].find(([, f]) => f.treats) ?? [];
  if (!aggregate || !s?.pet || !s.vet || !/^\w+$/.test(s.pet)) throw new Error('one record type must declare treats with its pet and vet fields');
  return { aggregate, pet: s.pet, vet: s.vet };
})();

/** The references an event sets or clears, as its contract declares them. */
export function refChanges(event: Pick<EventEnvelope, 'type' | 'data'>): Refs {
  const declared = EVENT_REFS.get(event.type);
  const data = isObject(event.data) ? event.data : {};
  const fields = declared?.inChanges ? (isObject(data.changes) ? data.changes : {}) : data;
  const out: Refs = {};
  for (const field of declared?.fields ?? []) {
    const v = fields[field];
    if (v === null || (typeof v === 'string' && UUID.test(v))) out[field] = v;
  }
  return out;
}

/** Users a record names directly; a user's own record names the user. */
export function directUsers(aggregateType: string, aggregateId: string, refs: Refs): string[] {
  const fields = fieldsOf(aggregateType);
  const users = fields.users.map((f) => refs[f]).filter((v): v is string => typeof v === 'string');
  if (fields.self && UUID.test(aggregateId)) users.push(aggregateId);
  return [...new Set(users)];
}

/** The pet whose people see this record: the pet itself, or the pet it is about. */
export function petOf(aggregateType: string, aggregateId: string, refs: Refs): string | undefined {
  if (aggregateType === AUDIENCE_AGGREGATES.pet) return aggregateId;
  const field = fieldsOf(aggregateType).pet;
  return (field && refs[field]) || undefined;
}

/** The veterinarian this record names, whose user sees it. */
export function vetOf(aggregateType: string, refs: Refs): string | undefined {
  const field = fieldsOf(aggregateType).vet;
  return (field && refs[field]) || undefined;
}

/** The user who is this veterinarian, from the veterinarian's own references. */
export function userOfVet(vetRefs: Refs): string | undefined {
  const field = fieldsOf(AUDIENCE_AGGREGATES.vet).vetUser;
  return (field && vetRefs[field]) || undefined;
}

/** INSERT for a record's first event or a creation, DELETE for a removal, UPDATE otherwise: as the contract declares. */
export function operationOf(event: Pick<EventEnvelope, 'type' | 'aggregateVersion'>): Operation {
  const change = isKnownEventType(event.type) ? recordChangeOf(event.type) : 'updated';
  if (change === 'deleted') return 'DELETE';
  if (event.aggregateVersion === 1 || change === 'created') return 'INSERT';
  return 'UPDATE';
}

/** `health-record` → `health_records`: the table a client caches this record type in. */
export const tableNameOf = (aggregateType: string) => `${aggregateType.replace(/-/g, '_')}s`;
