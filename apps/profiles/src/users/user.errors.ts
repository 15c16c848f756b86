import { RippleError } from '@ripple/errors';

export class UserNotFoundError extends RippleError {
  readonly code = 'USER_NOT_FOUND';
  readonly httpStatus = 404;
  constructor(readonly userId: string) {
    super(`user ${userId} not found`);
  }
}
export class UsernameTakenError extends RippleError {
  readonly code = 'USERNAME_TAKEN';
  readonly httpStatus = 409;
  constructor(readonly username: string) {
    super(`username ${username} is taken`);
  }
}
export class EmailTakenError extends RippleError {
  readonly code = 'EMAIL_TAKEN';
  readonly httpStatus = 409;
  constructor(readonly email: string) {
    super(`email ${email} is already registered`);
  }
}
export class InvalidCredentialsError extends RippleError {
  readonly code = 'INVALID_CREDENTIALS';
  readonly httpStatus = 401;
  constructor() {
    super('username or password is wrong');
  }
}
export class NotAllowedError extends RippleError {
  readonly code = 'FORBIDDEN';
  readonly httpStatus = 403;
}

export class IdempotencyKeyReusedError extends RippleError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  readonly httpStatus = 422;
  constructor(readonly key: string) {
    super(`Idempotency-Key ${key} was already used for a different request`);
  }
}

export class LoginThrottledError extends RippleError {
  readonly code = 'LOGIN_THROTTLED';
  readonly httpStatus = 429;
  constructor(readonly retryAfterSeconds: number) {
    super(`too many failed sign-ins: try again in ${retryAfterSeconds} s`);
  }
}

export class WrongPasswordError extends RippleError {
  readonly code = 'WRONG_PASSWORD';
  readonly httpStatus = 422;
  readonly fields = [{ field: 'currentPassword', errors: ['currentPassword is wrong'] }];
  constructor() {
    super('currentPassword is wrong');
  }
}
