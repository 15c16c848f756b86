/** The errors of the operations endpoints; their codes map to HTTP statuses in @ripple/http-edge. */
export class ProjectionNotFoundError extends Error {
  readonly code = 'PROJECTION_NOT_FOUND';
  constructor(readonly projection: string, readonly service: string, readonly known: string[]) {
    super(`${service} has no projection named "${projection}"${known.length ? `; it has ${known.join(', ')}` : ''}`);
  }
}

export class ReplayRunningError extends Error {
  readonly code = 'REPLAY_RUNNING';
  constructor(readonly projection: string) {
    super(`a replay of ${projection} is already running`);
  }
}

export class NothingPublishedError extends Error {
  readonly code = 'NOTHING_PUBLISHED';
  constructor(readonly service: string) {
    super(`${service} publishes no events: there is nothing to republish`);
  }
}
