export class RecordNotFoundError extends Error {
  readonly code = 'NOT_FOUND';
  constructor(readonly recordType: string, readonly id: string) {
    super(`${recordType} ${id} not found`);
  }
}
export class UnknownReferenceError extends Error {
  readonly code = 'UNKNOWN_REFERENCE';
  constructor(readonly field: string, readonly id: string) {
    super(`${field} ${id} does not name a record you can use`);
  }
}
export class RecordVersionConflictError extends Error {
  readonly code = 'VERSION_CONFLICT';
  constructor(readonly recordType: string, readonly id: string, readonly expectedVersion: number, readonly currentVersion: number) {
    super(`${recordType} ${id} is at version ${currentVersion}, not ${expectedVersion}`);
  }
}
export class NotAllowedError extends Error {
  readonly code = 'FORBIDDEN';
  constructor(message: string) {
    super(message);
  }
}
export class InvalidIfMatchError extends Error {
  readonly code = 'INVALID_IF_MATCH';
  constructor() {
    super('If-Match must be a version number, e.g. "3"');
  }
}
export class SyncJobNotFoundError extends Error {
  readonly code = 'NOT_FOUND';
  constructor(readonly id: string) {
    super(`sync job ${id} not found`);
  }
}

export const PETS_ERROR_STATUS: Record<string, number> = {
  UNKNOWN_REFERENCE: 422,
  FORBIDDEN: 403,
  INVALID_IF_MATCH: 400,
};

export class NotAVeterinarianError extends Error {
  readonly code = 'NOT_A_VETERINARIAN';
  constructor(readonly userId: string) {
    super(`user ${userId} does not have the veterinarian role`);
  }
}
PETS_ERROR_STATUS.NOT_A_VETERINARIAN = 422;
