import { RippleError } from '@ripple/errors';

export class AdServerEntityNotFoundError extends RippleError {
  readonly code = 'NOT_FOUND';
  readonly httpStatus = 404;
  constructor(readonly type: string, readonly id: string) {
    super(`${type} ${id} not found`);
  }
}

export class AdServerReferenceNotFoundError extends RippleError {
  readonly code = 'ADSERVER_REFERENCE_NOT_FOUND';
  readonly httpStatus = 422;
  constructor(readonly field: string, readonly id: string, why = `no ${field.replace(/_id$/, '')} ${id}`) {
    super(`${field}: ${why}`);
  }
}

export class AdServerNotLocalError extends RippleError {
  readonly code = 'ADSERVER_NOT_LOCAL';
  readonly httpStatus = 409;
  constructor(readonly id: string, readonly status: string) {
    super(`${id} is ${status}: only local entities (not yet exported) can change here`);
  }
}

export class AdServerInUseError extends RippleError {
  readonly code = 'ADSERVER_IN_USE';
  readonly httpStatus = 409;
  constructor(readonly id: string, readonly dependents: number) {
    super(`${id} is referenced by ${dependents} other entit${dependents === 1 ? 'y' : 'ies'}`);
  }
}
