import { RippleError } from '@ripple/errors';
import type { FieldError } from '@ripple/http-edge';

/** Same code and shape as the edge's own validation failures: one entry per bad field. */
export class InvalidInputError extends RippleError {
  readonly code = 'VALIDATION_FAILED';
  readonly httpStatus = 400;
  constructor(readonly fields: FieldError[]) {
    super(fields.map((f) => `${f.field}: ${f.errors.join(', ')}`).join('; '));
  }
}
