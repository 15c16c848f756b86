import { BadRequestException } from '@nestjs/common';

/** Deepest nesting of objects and arrays a request body may have. */
export const MAX_JSON_DEPTH = 32;

// NUL, which no PostgreSQL text or jsonb value can hold, and UTF-16 surrogates without their pair, which have no UTF-8 form.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export type InputProblem = { kind: 'too_deep'; field: string } | { kind: 'unstorable'; field: string };

/**
 * The first place in a request's input (body, query, path parameters) that no
 * handler should get: nesting deeper than MAX_JSON_DEPTH, or a string or key
 * PostgreSQL cannot store. One rule for every app, checked before validation.
 */
export function findInputProblem(value: unknown, field = '', depth = 0): InputProblem | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? { kind: 'unstorable', field } : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= MAX_JSON_DEPTH) return { kind: 'too_deep', field };
  for (const [key, item] of Object.entries(value)) {
    const path = field ? `${field}.${key}` : key;
    if (UNSTORABLE.test(key)) return { kind: 'unstorable', field: JSON.stringify(path).slice(1, -1) };
    const problem = findInputProblem(item, path, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** The 400 body for a problem, in the shape of every other validation error. */
export function inputProblemError(problem: InputProblem, where: string): { code: string; message: string; fields?: { field: string; errors: string[] }[] } {
  const field = problem.field || where;
  switch (problem.kind) {
    case 'too_deep':
      return { code: 'BODY_TOO_DEEP', message: `${where} nests deeper than ${MAX_JSON_DEPTH} levels (at ${field})` };
    case 'unstorable': {
      const errors = ['must not contain NUL characters or unpaired UTF-16 surrogates'];
      return { code: 'VALIDATION_FAILED', message: `${field}: ${errors[0]}`, fields: [{ field, errors }] };
    }
    default: {
      const never: never = problem;
      throw new Error(`unhandled input problem ${JSON.stringify(never)}`);
    }
  }
}

/** Throws the 400 for the first problem in `value`, if any. */
export function assertStorableInput(value: unknown, where: string, field = ''): void {
  const problem = findInputProblem(value, field);
  if (problem) throw new BadRequestException(inputProblemError(problem, where));
}
