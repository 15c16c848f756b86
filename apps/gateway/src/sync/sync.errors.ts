export class AuthRequiredError extends Error {
  readonly code = 'AUTH_REQUIRED';
  constructor(message = 'Authorization: Bearer <token> or ?ticket= is required') {
    super(message);
  }
}
export class TokenInUrlError extends Error {
  readonly code = 'TOKEN_IN_URL_REFUSED';
  constructor() {
    super('a token in the URL would be logged and leaked: send it as Authorization: Bearer, or use a ticket from POST /api/sync/ticket');
  }
}
export class InvalidTicketError extends Error {
  readonly code = 'INVALID_TICKET';
  constructor() {
    super('ticket is unknown, expired or already used');
  }
}
export class TooManyConnectionsError extends Error {
  readonly code = 'TOO_MANY_CONNECTIONS';
  constructor(readonly limit: number) {
    super(`at most ${limit} open sync connections per user`);
  }
}
export class InvalidQueryError extends Error {
  readonly code = 'INVALID_QUERY';
  constructor(message: string) {
    super(message);
  }
}
export class CursorResetError extends Error {
  readonly code = 'CURSOR_RESET';
  constructor(readonly reason: string, readonly cursor: string) {
    super(`the cursor cannot be resumed (${reason}): reload, then continue from the cursor given`);
  }
}

export const SYNC_ERROR_STATUS: Record<string, number> = {
  AUTH_REQUIRED: 401,
  INVALID_TOKEN: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_REVOKED: 401,
  INVALID_TICKET: 401,
  TOKEN_IN_URL_REFUSED: 400,
  INVALID_QUERY: 400,
  TOO_MANY_CONNECTIONS: 429,
  CURSOR_RESET: 410,
  ORIGIN_NOT_ALLOWED: 403,
};
