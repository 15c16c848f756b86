import { RequestError } from '@nats-io/nats-core';
import { RequestOne } from '@nats-io/nats-core/internal';

const CANCELLED = new RequestError('cancelled');
let installed = false;

/**
 * nats-core (3.4) ends every request it sends, answered or not, with
 * `RequestOne.cancel()`, which rejects the request's promise with a new
 * `RequestError("cancelled")`. After an answer that promise has already
 * settled, and after a timeout the race the caller awaits has, so the error is
 * never seen; but building it captures a stack trace each time, and every
 * JetStream publish (its PubAck) is such a request: a publish cost 36–51 µs
 * of CPU with it and 24–27 without (`test/bench/nats-request-cost.js`). This makes that
 * rejection use one error made once. An error passed to `cancel` (a failed
 * send) is used as before. Idempotent; process-wide, as the prototype is.
 */
export function shareCancelledRequestError(): void {
  if (installed) return;
  installed = true;
  const cancel = RequestOne.prototype.cancel;
  RequestOne.prototype.cancel = function (this: RequestOne, err?: Error) {
    cancel.call(this, err ?? CANCELLED);
  };
}
