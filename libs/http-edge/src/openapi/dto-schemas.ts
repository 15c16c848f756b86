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
  return validationMetadatasToSchemas({ refPointerPrefix: REF, classTransformerMetadataStorage: defaultMetadataStorage }) as Record<string, SchemaObject>;
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
