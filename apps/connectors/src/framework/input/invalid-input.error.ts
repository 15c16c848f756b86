import type { FieldError } from '@ripple/http-edge';

/** Same code and shape as the edge's own validation failures: one entry per bad field. */
export class InvalidInputError extends Error {
  readonly code = 'VALIDATION_FAILED';
  constructor(readonly fields: FieldError[]) {
    super(fields.map((f) => `${f.field}: ${f.errors.join(', ')}`).join('; '));
  }
}
