import { TYPE_SPECS, type AdServerType, type RefKey } from './adserver-model';

type Scalar = string | number | boolean | null | undefined;

/** Strings are trimmed; empty strings and nulls count as unset. */
function clean(v: Scalar): string | number | boolean | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  return v ?? undefined;
}

export class MissingRequiredFieldError extends Error {
  readonly code = 'ADSERVER_MISSING_FIELD';
  constructor(readonly type: AdServerType, readonly field: string) {
    super(`${type} needs ${field} before it can be exported`);
  }
}

export type Payload = Record<string, string | number | boolean>;

/**
 * The fields Broadstreet gets for a new entity, flat (sent as a form): name
 * (already conflict-free), required fields, optional ones only when they have
 * a value, and the references the path does not carry (a placement's
 * advertisement and zone) as remote ids. The parent is in the path, not here.
 */
export function cleanPayload(type: AdServerType, name: string | null, fields: Record<string, Scalar>, remoteRefs: Partial<Record<RefKey, string>>): Payload {
  const spec = TYPE_SPECS[type];
  const body: Payload = {};
  if (spec.named) {
    const n = clean(name);
    if (n === undefined) throw new MissingRequiredFieldError(type, 'name');
    body.name = n;
  }
  for (const f of spec.required) {
    const v = clean(fields[f]);
    if (v === undefined) throw new MissingRequiredFieldError(type, f);
    body[f] = v;
  }
  for (const f of spec.optional) {
    const v = clean(fields[f]);
    if (v !== undefined) body[f] = v;
  }
  for (const ref of spec.payloadRefs) {
    const id = remoteRefs[ref];
    if (id === undefined) throw new MissingRequiredFieldError(type, `${ref}_id`);
    body[`${ref}_id`] = id;
  }
  return body;
}

/** The fields kept locally from a Broadstreet record: what the payload would send back. */
export function fieldsFromRemote(type: AdServerType, record: Record<string, unknown>): Record<string, Scalar> {
  const spec = TYPE_SPECS[type];
  const out: Record<string, Scalar> = {};
  for (const f of [...spec.required, ...spec.optional]) {
    const v = record[f];
    if (v !== undefined && v !== null && typeof v !== 'object') out[f] = v as Scalar;
  }
  return out;
}
