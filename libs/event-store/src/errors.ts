import { VersionConflictError } from '@ripple/errors';

/** An append that expected another version of its stream: the one version conflict (409 with the current version), naming the stream. */
export class StreamVersionConflictError extends VersionConflictError {
  constructor(readonly streamId: string, expectedVersion: number, currentVersion: number) {
    super(`stream ${streamId}`, { streamId }, expectedVersion, currentVersion);
  }
}
