export class UserVersionConflictError extends Error {
  readonly code = 'VERSION_CONFLICT';
  constructor(readonly userId: string, readonly expectedVersion: number, readonly currentVersion: number) {
    super(`user ${userId} is at version ${currentVersion}, not ${expectedVersion}`);
  }
}
export class UserNotFoundError extends Error {
  readonly code = 'USER_NOT_FOUND';
  constructor(readonly userId: string) {
    super(`user ${userId} not found`);
  }
}
export class UsernameTakenError extends Error {
  readonly code = 'USERNAME_TAKEN';
  constructor(readonly username: string) {
    super(`username ${username} is taken`);
  }
}
export class EmailTakenError extends Error {
  readonly code = 'EMAIL_TAKEN';
  constructor(readonly email: string) {
    super(`email ${email} is already registered`);
  }
}
export class InvalidCredentialsError extends Error {
  readonly code = 'INVALID_CREDENTIALS';
  constructor() {
    super('username or password is wrong');
  }
}
export class NotAllowedError extends Error {
  readonly code = 'FORBIDDEN';
  constructor(message: string) {
    super(message);
  }
}

export class IdempotencyKeyReusedError extends Error {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor(readonly key: string) {
    super(`Idempotency-Key ${key} was already used for a different request`);
  }
}

export class LoginThrottledError extends Error {
  readonly code = 'LOGIN_THROTTLED';
  constructor(readonly retryAfterSeconds: number) {
    super(`too many failed sign-ins: try again in ${retryAfterSeconds} s`);
  }
}

export class WrongPasswordError extends Error {
  readonly code = 'WRONG_PASSWORD';
  readonly fields = [{ field: 'currentPassword', errors: ['currentPassword is wrong'] }];
  constructor() {
    super('currentPassword is wrong');
  }
}

export const USER_ERROR_STATUS: Record<string, number> = {
  USER_NOT_FOUND: 404,
  USERNAME_TAKEN: 409,
  EMAIL_TAKEN: 409,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  IDEMPOTENCY_KEY_REUSED: 422,
  LOGIN_THROTTLED: 429,
  WRONG_PASSWORD: 422,
};
