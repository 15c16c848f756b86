import { RippleError } from '@ripple/errors';

export class RecordNotFoundError extends RippleError {
  readonly code = 'NOT_FOUND';
  readonly httpStatus = 404;
  constructor(readonly recordType: string, readonly id: string) {
    super(`${recordType} ${id} not found`);
  }
}
export class UnknownReferenceError extends RippleError {
  readonly code = 'UNKNOWN_REFERENCE';
  readonly httpStatus = 422;
  constructor(readonly field: string, readonly id: string) {
    super(`${field} ${id} does not name a record you can use`);
  }
}
export class NotAllowedError extends RippleError {
  readonly code = 'FORBIDDEN';
  readonly httpStatus = 403;
  constructor(message: string) {
    super(message);
  }
}
export class InvalidIfMatchError extends RippleError {
  readonly code = 'INVALID_IF_MATCH';
  readonly httpStatus = 400;
  constructor() {
    super('If-Match must be a version number, e.g. "3"');
  }
}
export class SyncJobNotFoundError extends RippleError {
  readonly code = 'NOT_FOUND';
  readonly httpStatus = 404;
  constructor(readonly id: string) {
    super(`sync job ${id} not found`);
  }
}

export class NotAVeterinarianError extends RippleError {
  readonly code = 'NOT_A_VETERINARIAN';
  readonly httpStatus = 422;
  constructor(readonly userId: string) {
    super(`user ${userId} does not have the veterinarian role`);
  }
}
