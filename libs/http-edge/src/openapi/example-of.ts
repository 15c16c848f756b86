import type { SchemaObject } from '@nestjs/swagger';

const REF = '#/components/schemas/';

/** A plausible value for a schema, so every request body in the document has an example. */
export function exampleOf(schema: SchemaObject & { $ref?: string }, schemas: Record<string, SchemaObject>, depth = 0): unknown {
  if (depth > 5) return undefined;
  if (schema.$ref) return schema.$ref.startsWith(REF) && schemas[schema.$ref.slice(REF.length)] ? exampleOf(schemas[schema.$ref.slice(REF.length)], schemas, depth + 1) : undefined;
  if (schema.example !== undefined) return schema.example;
  if (schema.enum?.length) return schema.enum[0];
  const alternative = schema.oneOf?.[0] ?? schema.anyOf?.[0] ?? schema.allOf?.[0];
  if (alternative) return exampleOf(alternative as SchemaObject, schemas, depth + 1);
  switch (schema.type) {
    case 'object': {
      // Every required field, then optional ones up to a readable few.
      const entries = Object.entries(schema.properties ?? {});
      const required = entries.filter(([k]) => schema.required?.includes(k));
      const optional = entries.filter(([k]) => !schema.required?.includes(k)).slice(0, Math.max(0, 4 - required.length));
      return Object.fromEntries([...required, ...optional].map(([k, s]) => [k, exampleOf(s as SchemaObject, schemas, depth + 1)]));
    }
    case 'array':
      return schema.items ? [exampleOf(schema.items as SchemaObject, schemas, depth + 1)] : [];
    case 'integer':
      return numberWithin(schema, 1);
    case 'number':
      return numberWithin(schema, 12.5);
    case 'boolean':
      return true;
    case 'string':
      return stringExample(schema);
    default:
      return undefined;
  }
}

/** `preferred` when the bounds allow it, else the lowest value they allow. */
function numberWithin(schema: SchemaObject, preferred: number): number {
  const { minimum, maximum } = schema;
  const low = minimum === undefined ? undefined : minimum + (schema.exclusiveMinimum ? 1 : 0);
  const fits = (n: number) => (low === undefined || n >= low) && (maximum === undefined || n < maximum || (n === maximum && !schema.exclusiveMaximum));
  return fits(preferred) ? preferred : (low ?? 0);
}

/** Values a `pattern` (from @Matches) commonly asks for: the first the pattern accepts is the example. */
const PATTERN_CANDIDATES = ['2026-01-10', '2026-01-10T09:30:00.000Z', '0190f5d2-4b1a-7c3e-8f00-1234567890ab', '+1 555 0100', 'example'];

function stringExample(schema: SchemaObject): string {
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern);
    const fit = PATTERN_CANDIDATES.find((c) => pattern.test(c));
    if (fit) return fit;
  }
  switch (schema.format) {
    case 'email': return 'someone@example.com';
    case 'uuid': return '0190f5d2-4b1a-7c3e-8f00-1234567890ab';
    case 'date': return '2026-01-10';
    case 'date-time': return '2026-01-10T09:30:00.000Z';
    case 'uri': case 'url': return 'https://example.com';
  }
  const min = schema.minLength ?? 0;
  return 'example'.padEnd(min, 'x').slice(0, schema.maxLength ?? 64);
}
