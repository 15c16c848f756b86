import { PETS_RECORD_TYPES, type FieldValue, type PetsAggregate, type PetsEvent, type SyncRule } from '@ripple/contracts';
import { VersionConflictError } from '@ripple/errors';
import type { NewEvent } from '@ripple/event-store';

export type Fields = Record<string, FieldValue>;
type Stage = 'created' | 'updated' | 'synced';

/** One pets record (pet, veterinarian, health record, lost-pet report, user event), folded from its stream. */
export interface RecordState<F extends Fields = Fields> {
  aggregate: PetsAggregate;
  id: string;
  version: number;
  fields: F;
  /** The person's edit that last set `weightKg`: decides which of two weight copies is newer. */
  weightSourceEventId: string | null;
  /** When a person last set each field (the event's time): a copy never overwrites a newer edit. */
  editedAt: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

const STAGES = new Map<string, { aggregate: PetsAggregate; stage: Stage }>(
  (Object.entries(PETS_RECORD_TYPES) as [PetsAggregate, (typeof PETS_RECORD_TYPES)[PetsAggregate]][]).flatMap(([aggregate, t]) => [
    [t.created, { aggregate, stage: 'created' as const }],
    [t.updated, { aggregate, stage: 'updated' as const }],
    [t.synced, { aggregate, stage: 'synced' as const }],
  ]),
);

export function stageOf(type: string): { aggregate: PetsAggregate; stage: Stage } {
  const s = STAGES.get(type);
  if (!s) throw new Error(`${type} is not a pets event`);
  return s;
}

/** Applies one of the record's own events. */
export function evolveRecord(state: RecordState | undefined, event: PetsEvent): RecordState {
  const { aggregate, stage } = stageOf(event.type);
  switch (stage) {
    case 'created': {
      const fields = { ...(event.data as Fields) };
      const weighed = fields.weightKg !== undefined && fields.weightKg !== null;
      return {
        aggregate, id: event.aggregateId, version: event.aggregateVersion, fields, weightSourceEventId: weighed ? event.id : null,
        // A field left empty at creation was not set by anyone: a copy may fill it.
        editedAt: stamp({}, Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null)), event.occurredAt), createdAt: event.occurredAt, updatedAt: event.occurredAt,
      };
    }
    case 'updated':
    case 'synced': {
      if (!state) throw new Error(`${event.type} ${event.id} for unknown ${aggregate} ${event.aggregateId}`);
      const data = event.data as { changes: Fields; sourceEventId?: string | null };
      const source = stage === 'synced' ? (data.sourceEventId ?? null) : event.id;
      return {
        ...state,
        version: event.aggregateVersion,
        fields: { ...state.fields, ...data.changes },
        weightSourceEventId: 'weightKg' in data.changes ? source : state.weightSourceEventId,
        // A copy is not an edit: only a person's own change moves a field's edit time.
        editedAt: stage === 'updated' ? stamp(state.editedAt, data.changes, event.occurredAt) : state.editedAt,
        updatedAt: event.occurredAt,
      };
    }
    default: {
      const never: never = stage;
      throw new Error(`unknown stage ${never}`);
    }
  }
}

const stamp = (editedAt: Record<string, string>, fields: Fields, at: string) =>
  ({ ...editedAt, ...Object.fromEntries(Object.keys(fields).map((k) => [k, at])) });

/** The fields of `wanted` whose value differs from `current`, with what they were. */
export function diffFields(current: Fields, wanted: Partial<Fields>): { changes: Fields; previous: Fields } | undefined {
  const changes: Fields = {};
  const previous: Fields = {};
  for (const [k, v] of Object.entries(wanted)) {
    if (v === undefined || current[k] === v) continue;
    changes[k] = v;
    previous[k] = current[k] ?? null;
  }
  return Object.keys(changes).length ? { changes, previous } : undefined;
}

export function createRecord(aggregate: PetsAggregate, fields: Fields): NewEvent<PetsEvent>[] {
  return [{ type: PETS_RECORD_TYPES[aggregate].created, data: fields } as NewEvent<PetsEvent>];
}

/** A person's edit: only the fields that change; a stale expected version is refused. */
export function updateRecord(state: RecordState, wanted: Partial<Fields>, expectedVersion?: number): NewEvent<PetsEvent>[] {
  if (expectedVersion !== undefined && expectedVersion !== state.version) {
    throw new VersionConflictError(`${state.aggregate} ${state.id}`, { recordType: state.aggregate, id: state.id }, expectedVersion, state.version);
  }
  const diff = diffFields(state.fields, wanted);
  if (!diff) return [];
  return [{ type: PETS_RECORD_TYPES[state.aggregate].updated, data: { ...diff, unconditional: expectedVersion === undefined } } as NewEvent<PetsEvent>];
}

export interface SyncMeta {
  rule: SyncRule;
  userId: string | null;
  sourceEventId: string | null;
  forced: boolean;
}

/** A copy re-derived from another record: a distinct event type, so it never triggers the reverse rule. */
export function syncRecord(state: RecordState, wanted: Partial<Fields>, meta: SyncMeta): NewEvent<PetsEvent>[] {
  const diff = diffFields(state.fields, wanted);
  if (!diff) return [];
  return [{ type: PETS_RECORD_TYPES[state.aggregate].synced, data: { ...diff, ...meta } } as NewEvent<PetsEvent>];
}
