export class AdServerEntityNotFoundError extends Error {
  readonly code = 'NOT_FOUND';
  constructor(readonly type: string, readonly id: string) {
    super(`${type} ${id} not found`);
  }
}

export class AdServerReferenceNotFoundError extends Error {
  readonly code = 'ADSERVER_REFERENCE_NOT_FOUND';
  constructor(readonly field: string, readonly id: string, why = `no ${field.replace(/_id$/, '')} ${id}`) {
    super(`${field}: ${why}`);
  }
}

export class AdServerNotLocalError extends Error {
  readonly code = 'ADSERVER_NOT_LOCAL';
  constructor(readonly id: string, readonly status: string) {
    super(`${id} is ${status}: only local entities (not yet exported) can change here`);
  }
}

export class AdServerInUseError extends Error {
  readonly code = 'ADSERVER_IN_USE';
  constructor(readonly id: string, readonly dependents: number) {
    super(`${id} is referenced by ${dependents} other entit${dependents === 1 ? 'y' : 'ies'}`);
  }
}
