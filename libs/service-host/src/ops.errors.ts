import { RippleError } from '@ripple/errors';

/** The errors of the operations endpoints. */
export class ProjectionNotFoundError extends RippleError {
  readonly code = 'PROJECTION_NOT_FOUND';
  readonly httpStatus = 404;
  constructor(readonly projection: string, readonly service: string, readonly known: string[]) {
    super(`${service} has no projection named "${projection}"${known.length ? `; it has ${known.join(', ')}` : ''}`);
  }
}

export class ReplayRunningError extends RippleError {
  readonly code = 'REPLAY_RUNNING';
  readonly httpStatus = 409;
  constructor(readonly projection: string) {
    super(`a replay of ${projection} is already running`);
  }
}

export class NothingPublishedError extends RippleError {
  readonly code = 'NOTHING_PUBLISHED';
  readonly httpStatus = 404;
  constructor(readonly service: string) {
    super(`${service} publishes no events: there is nothing to republish`);
  }
}

export class NoProjectionsError extends RippleError {
  readonly code = 'NO_PROJECTIONS';
  readonly httpStatus = 404;
  constructor(readonly service: string) {
    super(`${service} runs no projections: it has no dead letters`);
  }
}
