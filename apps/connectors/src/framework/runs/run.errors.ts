import { RippleError } from '@ripple/errors';

export class RunInProgressError extends RippleError {
  readonly code = 'RUN_IN_PROGRESS';
  readonly httpStatus = 409;
  constructor(readonly connector: string, readonly runningRunId: string | null) {
    super(`${connector} is already running${runningRunId ? ` (run ${runningRunId})` : ''}; runs of one connector never overlap`);
  }
}

export class RunNotFoundError extends RippleError {
  readonly code = 'NOT_FOUND';
  readonly httpStatus = 404;
  constructor(readonly id: string) {
    super(`run ${id} not found`);
  }
}

export class UnknownConnectorError extends RippleError {
  readonly code = 'UNKNOWN_CONNECTOR';
  readonly httpStatus = 404;
  constructor(readonly connector: string) {
    super(`no connector named ${connector}`);
  }
}
