import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
// class-transformer's @Type() records live here: how a nested DTO's class is found.
// @ts-expect-error the module ships its types under types/, not beside it
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import type { SchemaObject } from '@nestjs/swagger';

const REF = '#/components/schemas/';

/**
 * JSON schemas of the DTO classes, read from their class-validator decorators:
 * the rules the validation pipe enforces are the rules the document states.
 */
export function schemasFromValidators(): Record<string, SchemaObject> {
  const schemas = validationMetadatasToSchemas({ refPointerPrefix: REF, classTransformerMetadataStorage: defaultMetadataStorage });
  return asOpenApi30(schemas) as Record<string, SchemaObject>;
}

/** The converter speaks JSON Schema draft 7 (`exclusiveMinimum: 0`); OpenAPI 3.0 says `minimum: 0, exclusiveMinimum: true`. */
function asOpenApi30(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(asOpenApi30);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'exclusiveMinimum' && typeof v === 'number') Object.assign(out, { minimum: v, exclusiveMinimum: true });
    else if (k === 'exclusiveMaximum' && typeof v === 'number') Object.assign(out, { maximum: v, exclusiveMaximum: true });
    else out[k] = asOpenApi30(v);
  }
  return out;
}

/** The names a schema refers to, transitively, so every schema a document uses is in it. */
export function referencedSchemas(root: unknown, known: Record<string, SchemaObject>, into = new Set<string>()): Set<string> {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF)) {
        const name = v.slice(REF.length);
        if (!into.has(name) && known[name]) {
          into.add(name);
          visit(known[name]);
        }
      } else visit(v);
    }
  };
  visit(root);
  return into;
}
