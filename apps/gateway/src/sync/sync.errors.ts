import { RippleError } from '@ripple/errors';

export class AuthRequiredError extends RippleError {
  readonly code = 'AUTH_REQUIRED';
  readonly httpStatus = 401;
  constructor(message = 'Authorization: Bearer <token> or ?ticket= is required') {
    super(message);
  }
}
export class TokenInUrlError extends RippleError {
  readonly code = 'TOKEN_IN_URL_REFUSED';
  readonly httpStatus = 400;
  constructor() {
    super('a token in the URL would be logged and leaked: send it as Authorization: Bearer, or use a ticket from POST /api/sync/ticket');
  }
}
export class InvalidTicketError extends RippleError {
  readonly code = 'INVALID_TICKET';
  readonly httpStatus = 401;
  constructor() {
    super('ticket is unknown, expired or already used');
  }
}
export class TooManyConnectionsError extends RippleError {
  readonly code = 'TOO_MANY_CONNECTIONS';
  readonly httpStatus = 429;
  constructor(readonly limit: number) {
    super(`at most ${limit} open sync connections per user`);
  }
}
export class InvalidQueryError extends RippleError {
  readonly code = 'INVALID_QUERY';
  readonly httpStatus = 400;
  constructor(message: string) {
    super(message);
  }
}
export class CursorResetError extends RippleError {
  readonly code = 'CURSOR_RESET';
  readonly httpStatus = 410;
  constructor(readonly reason: string, readonly cursor: string) {
    super(`the cursor cannot be resumed (${reason}): reload, then continue from the cursor given`);
  }
}
