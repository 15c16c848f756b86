import { RippleError } from '@ripple/errors';

/** Staged data that may not become a version: required fields missing, bad types, duplicates, dangling references. */
export class CatalogValidationError extends Error {
  readonly code = 'CATALOG_INVALID';
  constructor(readonly entity: string, readonly problem: string, readonly sample: string[] = []) {
    super(`${entity}: ${problem}${sample.length ? ` (e.g. ${sample.join(', ')})` : ''}`);
  }
}

export class NoBackupVersionError extends RippleError {
  readonly code = 'NO_BACKUP_VERSION';
  readonly httpStatus = 409;
  constructor() {
    super('there is no backup version to roll back to');
  }
}

export class InconsistentCatalogMetadataError extends RippleError {
  readonly code = 'CATALOG_METADATA_INCONSISTENT';
  readonly httpStatus = 500;
  constructor(detail: string) {
    super(`sync_metadata is inconsistent: ${detail}`);
  }
}

export class CatalogItemNotFoundError extends RippleError {
  readonly code = 'NOT_FOUND';
  readonly httpStatus = 404;
  constructor(readonly kind: string, readonly id: string) {
    super(`${kind} ${id} not found`);
  }
}
