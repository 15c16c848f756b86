import { createHmac, timingSafeEqual } from 'node:crypto';
import { RippleError } from '@ripple/errors';

/** Header names of a signed trigger: `X-Ripple-Timestamp: <unix seconds>`, `X-Ripple-Signature: sha256=<hex>`. */
export const TIMESTAMP_HEADER = 'x-ripple-timestamp';
export const SIGNATURE_HEADER = 'x-ripple-signature';

export type SignatureProblem = 'missing' | 'malformed' | 'stale' | 'mismatch';

export class TriggerSignatureError extends RippleError {
  readonly code = 'INVALID_SIGNATURE';
  readonly httpStatus = 401;
  constructor(readonly problem: SignatureProblem) {
    super(`trigger signature refused: ${problem}`);
  }
}

export class TriggerReplayedError extends RippleError {
  readonly code = 'REPLAYED_SIGNATURE';
  readonly httpStatus = 409;
  constructor() {
    super('trigger signature refused: this signature was already used');
  }
}

/** A correctly signed trigger whose body is not JSON. */
export class MalformedTriggerBodyError extends RippleError {
  readonly code = 'MALFORMED_JSON';
  readonly httpStatus = 400;
}

/** HMAC-SHA256 over `timestamp + "." + rawBody`: binding the time stops a captured body being re-signed later. */
export function signTrigger(secret: string, timestamp: number | string, rawBody: Buffer | string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

export interface SignedRequest {
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
}

/**
 * Checks a signed trigger; throws TriggerSignatureError naming the problem.
 * The comparison is constant-time so the signature cannot be guessed byte by byte.
 * Replays inside the tolerance window are the caller's to refuse (seen signatures).
 */
export function verifyTrigger(req: SignedRequest, secret: string, nowMs: number, toleranceSeconds: number): void {
  if (!req.timestamp || !req.signature) throw new TriggerSignatureError('missing');
  if (!/^\d{1,12}$/.test(req.timestamp) || !/^sha256=[0-9a-f]{64}$/.test(req.signature)) throw new TriggerSignatureError('malformed');
  if (Math.abs(nowMs / 1000 - Number(req.timestamp)) > toleranceSeconds) throw new TriggerSignatureError('stale');
  const expected = Buffer.from(signTrigger(secret, req.timestamp, req.rawBody));
  if (!timingSafeEqual(expected, Buffer.from(req.signature))) throw new TriggerSignatureError('mismatch');
}
