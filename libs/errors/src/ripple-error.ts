/** The statuses an error may answer with at the HTTP edge; the compiler refuses any other. */
export type HttpErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 412 | 422 | 429 | 500 | 503;

/**
 * The one base of Ripple's errors: a stable `code` clients and logs rely on, the
 * HTTP status the edge answers with, declared beside it, and the `cause` when one
 * failure wraps another. The edge answers `{ code, message, ...the error's own fields }`;
 * `httpStatus`, `cause` and the stack stay out of the answer.
 */
export abstract class RippleError extends Error {
  abstract readonly code: string;
  abstract readonly httpStatus: HttpErrorStatus;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
