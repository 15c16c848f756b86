/** HTTP statuses for the connectors app's error codes (the edge maps them; handlers never throw HttpException). */
export const CONNECTORS_ERROR_STATUS: Record<string, number> = {
  RUN_IN_PROGRESS: 409,
  UNKNOWN_CONNECTOR: 404,
  INVALID_SIGNATURE: 401,
  REPLAYED_SIGNATURE: 409,
  NO_BACKUP_VERSION: 409,
  CATALOG_METADATA_INCONSISTENT: 500,
  VALIDATION_FAILED: 400,
  ADSERVER_REFERENCE_NOT_FOUND: 422,
  ADSERVER_NOT_LOCAL: 409,
  ADSERVER_IN_USE: 409,
};
