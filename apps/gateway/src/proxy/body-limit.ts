import { Transform } from 'node:stream';

export class PayloadTooLargeError extends Error {
  readonly code = 'PAYLOAD_TOO_LARGE';
  constructor(readonly limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`);
  }
}

/** Passes bytes through until more than `limitBytes` have gone by, then fails. */
export function byteLimit(limitBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > limitBytes) done(new PayloadTooLargeError(limitBytes));
      else done(null, chunk);
    },
  });
}
