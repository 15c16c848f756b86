import { PETS_RECORD_TYPES, SYNC_RULES, type FieldKind, type FieldSchema, type PetsEventType } from './pets.events';

type PayloadCheck = (data: Record<string, unknown>) => string[];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function valueOk(kind: FieldKind, v: unknown): boolean {
  if (v === null) return kind.endsWith('?');
  switch (kind) {
    case 'string':
    case 'string?':
      return typeof v === 'string';
    case 'uuid':
    case 'uuid?':
      return typeof v === 'string' && UUID.test(v);
    case 'number?':
      return typeof v === 'number' && Number.isFinite(v);
    default: {
      const never: never = kind;
      return never;
    }
  }
}

const fieldProblems = (schema: FieldSchema, value: unknown, name: string, complete: boolean): string[] => {
  if (typeof value !== 'object' || value === null) return [`${name} must be an object`];
  const given = value as Record<string, unknown>;
  const unknown = Object.keys(given).filter((k) => !(k in schema)).map((k) => `${name}.${k} is not a field`);
  const checked = Object.entries(schema).flatMap(([k, kind]) => {
    if (!(k in given)) return complete ? [`${name}.${k} is missing`] : [];
    return valueOk(kind, given[k]) ? [] : [`${name}.${k} has the wrong type`];
  });
  return [...unknown, ...checked];
};

const nullableUuid = (v: unknown) => v === null || (typeof v === 'string' && UUID.test(v));

/** Payload checks for every pets event, built from the field schemas. */
export const PETS_PAYLOAD_CHECKS = Object.fromEntries(
  Object.values(PETS_RECORD_TYPES).flatMap(({ created, updated, synced, fields }) => [
    [created, (d: Record<string, unknown>) => fieldProblems(fields, d, 'data', true)],
    [updated, (d: Record<string, unknown>) => [
      ...fieldProblems(fields, d.changes, 'data.changes', false),
      ...fieldProblems(fields, d.previous, 'data.previous', false),
      ...(typeof d.unconditional === 'boolean' ? [] : ['data.unconditional must be a boolean']),
    ]],
    [synced, (d: Record<string, unknown>) => [
      ...fieldProblems(fields, d.changes, 'data.changes', false),
      ...fieldProblems(fields, d.previous, 'data.previous', false),
      ...((SYNC_RULES as readonly unknown[]).includes(d.rule) ? [] : ['data.rule must be a known sync rule']),
      ...(nullableUuid(d.userId) ? [] : ['data.userId must be a UUID or null']),
      ...(nullableUuid(d.sourceEventId) ? [] : ['data.sourceEventId must be a UUID or null']),
      ...(typeof d.forced === 'boolean' ? [] : ['data.forced must be a boolean']),
    ]],
  ]),
) as Record<PetsEventType, PayloadCheck>;
