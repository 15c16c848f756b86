export class RunInProgressError extends Error {
  readonly code = 'RUN_IN_PROGRESS';
  constructor(readonly connector: string, readonly runningRunId: string | null) {
    super(`${connector} is already running${runningRunId ? ` (run ${runningRunId})` : ''}; runs of one connector never overlap`);
  }
}

export class RunNotFoundError extends Error {
  readonly code = 'NOT_FOUND';
  constructor(readonly id: string) {
    super(`run ${id} not found`);
  }
}

export class UnknownConnectorError extends Error {
  readonly code = 'UNKNOWN_CONNECTOR';
  constructor(readonly connector: string) {
    super(`no connector named ${connector}`);
  }
}
