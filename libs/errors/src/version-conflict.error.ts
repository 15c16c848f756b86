import { RippleError } from './ripple-error';

/**
 * A write that expected another version of its aggregate: 409 with the current
 * version. `names` is how the answer names the aggregate (`{ userId }` for a user,
 * `{ recordType, id }` for a pets record), `what` how the message does.
 */
export class VersionConflictError extends RippleError {
  readonly code = 'VERSION_CONFLICT';
  readonly httpStatus = 409;

  constructor(what: string, names: Record<string, string>, readonly expectedVersion: number, readonly currentVersion: number) {
    super(`${what} is at version ${currentVersion}, not ${expectedVersion}`);
    Object.assign(this, names);
  }
}
