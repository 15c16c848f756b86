import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import type { EventContract } from './contract';

/** Checks a payload against its contract: [] when it conforms, else one problem per field, each naming it. */
export type PayloadCheck = (data: unknown) => string[];

const MAX_PROBLEMS = 10;

/** Compiled once per event type: a conforming payload costs one generated function call. */
export function compilePayloadCheck(contract: EventContract): PayloadCheck {
  const compiled = TypeCompiler.Compile(contract.schema);
  return (data) => {
    if (compiled.Check(data)) return contract.refine ? contract.refine(data as Record<string, unknown>) : [];
    const problems = new Map<string, string>();
    for (const error of compiled.Errors(data)) {
      if (!problems.has(error.path)) problems.set(error.path, describe(error));
      if (problems.size === MAX_PROBLEMS) break;
    }
    return [...problems.values()];
  };
}

function describe(error: ValueError): string {
  const field = `data${error.path.replace(/\//g, '.').replace(/~1/g, '/').replace(/~0/g, '~')}`;
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return `${field} is missing`;
    case ValueErrorType.ObjectAdditionalProperties:
      return `${field} is not a field`;
    default: {
      const values = constants(error.schema.anyOf);
      return values ? `${field} must be one of ${values.join(', ')}` : `${field} has the wrong type (${error.message.toLowerCase()})`;
    }
  }
}

/** The values of a union of constants (a `OneOf`), else undefined. */
function constants(anyOf: unknown): unknown[] | undefined {
  if (!Array.isArray(anyOf) || !anyOf.every((s) => s && typeof s === 'object' && 'const' in s)) return undefined;
  return anyOf.map((s) => s.const);
}
