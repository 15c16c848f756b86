import type {
  EventEnvelope, HealthRecordEvent, HealthRecordFields, LostPetEvent, LostPetFields, PetEvent, PetFields, PetsAggregate, RecordSyncedData,
  RecordUpdatedData, SyncRule, UserEventEvent, UserEventFields, VeterinarianEvent, VeterinarianFields,
} from '@ripple/contracts';
import { VersionConflictError } from '@ripple/errors';

/** The five pets records, each with its fields and events from the published contracts. */
interface Records {
  pet: { fields: PetFields; event: PetEvent };
  veterinarian: { fields: VeterinarianFields; event: VeterinarianEvent };
  'health-record': { fields: HealthRecordFields; event: HealthRecordEvent };
  'lost-pet': { fields: LostPetFields; event: LostPetEvent };
  'user-event': { fields: UserEventFields; event: UserEventEvent };
}
export type RecordFields<A extends PetsAggregate> = Records[A]['fields'];
export type RecordEvent<A extends PetsAggregate> = Records[A]['event'];

/** An event as a decision emits it (before the event store wraps it): its type and the data of that type. */
export type Decided<E extends { type: string; data: unknown }> = E extends unknown ? Pick<E, 'type' | 'data'> : never;

/** One record folded from its stream; also the row of its table (its snapshot and read model). */
export interface RecordState<A extends PetsAggregate> {
  aggregate: A;
  id: string;
  version: number;
  fields: RecordFields<A>;
  /** The person's edit that last set `weightKg`: decides which of two weight copies is newer. */
  weightSourceEventId: string | null;
  /** When a person last set each field (the event's time): a copy never overwrites a newer edit. */
  editedAt: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}
export type AnyRecord = { [A in PetsAggregate]: RecordState<A> }[PetsAggregate];

export interface SyncMeta {
  rule: SyncRule;
  userId: string | null;
  sourceEventId: string | null;
  forced: boolean;
}

const stamp = (editedAt: Record<string, string>, fields: object, at: string) =>
  ({ ...editedAt, ...Object.fromEntries(Object.keys(fields).map((k) => [k, at])) });

/** The record's creation: a field left empty was not set by anyone, so a copy may fill it. */
export function created<A extends PetsAggregate>(aggregate: A, e: EventEnvelope<string, RecordFields<A>>): RecordState<A> {
  const fields = { ...e.data };
  const weighed = 'weightKg' in fields && fields.weightKg !== null && fields.weightKg !== undefined;
  return {
    aggregate, id: e.aggregateId, version: e.aggregateVersion, fields, weightSourceEventId: weighed ? e.id : null,
    editedAt: stamp({}, Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null)), e.occurredAt), createdAt: e.occurredAt, updatedAt: e.occurredAt,
  };
}

/** A person's edit: the changed fields, their edit time, and (for a weight) the edit as the weight's source. */
export function edited<A extends PetsAggregate>(state: RecordState<A> | undefined, e: EventEnvelope<string, RecordUpdatedData<RecordFields<A>>>): RecordState<A> {
  const s = known(state, e);
  return {
    ...s, version: e.aggregateVersion, fields: { ...s.fields, ...e.data.changes },
    weightSourceEventId: 'weightKg' in e.data.changes ? e.id : s.weightSourceEventId,
    editedAt: stamp(s.editedAt, e.data.changes, e.occurredAt), updatedAt: e.occurredAt,
  };
}

/** A copy re-derived from another record: not an edit, and a weight keeps the edit it copies as its source. */
export function synced<A extends PetsAggregate>(state: RecordState<A> | undefined, e: EventEnvelope<string, RecordSyncedData<RecordFields<A>>>): RecordState<A> {
  const s = known(state, e);
  return {
    ...s, version: e.aggregateVersion, fields: { ...s.fields, ...e.data.changes },
    weightSourceEventId: 'weightKg' in e.data.changes ? e.data.sourceEventId : s.weightSourceEventId, updatedAt: e.occurredAt,
  };
}

function known<S>(state: S | undefined, e: EventEnvelope): S {
  // Per-aggregate order puts the creation first; anything else is a broken stream.
  if (!state) throw new Error(`${e.type} ${e.id} for unknown ${e.aggregateType} ${e.aggregateId}`);
  return state;
}

/** A person's edit: only the fields that change, with what they were; a stale expected version is refused. */
export function editOf<A extends PetsAggregate>(state: RecordState<A>, wanted: Partial<RecordFields<A>>, expectedVersion?: number): RecordUpdatedData<RecordFields<A>> | undefined {
  if (expectedVersion !== undefined && expectedVersion !== state.version) {
    throw new VersionConflictError(`${state.aggregate} ${state.id}`, { recordType: state.aggregate, id: state.id }, expectedVersion, state.version);
  }
  const diff = diffFields(state.fields, wanted);
  return diff && { ...diff, unconditional: expectedVersion === undefined };
}

/** A copy re-derived from another record: a distinct event type, so it never triggers the reverse rule. */
export function syncOf<A extends PetsAggregate>(state: RecordState<A>, wanted: Partial<RecordFields<A>>, meta: SyncMeta): RecordSyncedData<RecordFields<A>> | undefined {
  const diff = diffFields(state.fields, wanted);
  return diff && { ...diff, ...meta };
}

/** The decided event of `type` when there is something to say, else none. */
export const eventsOf = <T extends string, D>(type: T, data: D | undefined): { type: T; data: D }[] => (data === undefined ? [] : [{ type, data }]);

/** The fields of `wanted` whose value differs from `current`, with what they were. */
function diffFields<F extends object>(current: F, wanted: Partial<F>): { changes: Partial<F>; previous: Partial<F> } | undefined {
  const changes: Partial<F> = {};
  const previous: Partial<F> = {};
  for (const k of Object.keys(wanted) as (keyof F)[]) {
    const v = wanted[k];
    if (v === undefined || current[k] === v) continue;
    changes[k] = v;
    previous[k] = (current[k] ?? null) as F[keyof F];
  }
  return Object.keys(changes).length ? { changes, previous } : undefined;
}
