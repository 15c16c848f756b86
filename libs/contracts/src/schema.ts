import { Type, type TLiteral, type TObject, type TProperties, type TSchema, type TUnion, type TNull } from '@sinclair/typebox';

/**
 * The few shapes Ripple's event schemas repeat, on TypeBox: each is JSON Schema
 * (what the AsyncAPI document publishes), a TypeScript type (`Static<typeof X>`)
 * and a compiled check (`parseEvent`), from one definition.
 */
export { Type, type Static, type TLiteral, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export const Uuid = (description?: string) => Type.String({ pattern: UUID_PATTERN, ...(description ? { description } : {}) });
export const Nullable = <T extends TSchema>(schema: T): TUnion<[T, TNull]> => Type.Union([schema, Type.Null()]);
/** A string that is one of `values` (TypeBox writes it as a union of constants). */
export const OneOf = <const V extends readonly string[]>(values: V): TUnion<TLiteral<V[number]>[]> =>
  Type.Union(values.map((v) => Type.Literal(v)));
/** An object whose every field is listed: an unknown field is refused. */
export const Closed = <P extends TProperties>(properties: P, description?: string): TObject<P> =>
  Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });

/** The same fields, each also allowing `null`. */
export const nullableFields = <P extends TProperties>(properties: P) =>
  Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, Nullable(v)])) as { [K in keyof P]: TUnion<[P[K], TNull]> };
