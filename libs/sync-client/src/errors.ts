/** One bad field of a refused request, as Ripple names it (`profileInfo.venueEmail`). */
export interface FieldError {
  field: string;
  errors: string[];
}

/** A REST call the server refused: its status and Ripple's error body (`code`, `message`, `fields`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldError[],
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static of(status: number, body: unknown): ApiError {
    const error = (body as { error?: { code?: string; message?: string; fields?: FieldError[] } } | undefined)?.error;
    return new ApiError(status, error?.code ?? `HTTP_${status}`, error?.message ?? `request failed with ${status}`, error?.fields, body);
  }
}

/** The token (or the feed) belongs to another user than the queue: nothing of this queue may be sent with it. */
export class WrongUserError extends Error {
  constructor(readonly expected: string, readonly actual: string) {
    super(`this client holds ${expected}'s queue, but the token is ${actual}'s`);
    this.name = 'WrongUserError';
  }
}
