export class StreamVersionConflictError extends Error {
  readonly code = 'VERSION_CONFLICT';
  constructor(readonly streamId: string, readonly expectedVersion: number, readonly currentVersion: number) {
    super(`stream ${streamId} is at version ${currentVersion}, expected ${expectedVersion}`);
  }
}
