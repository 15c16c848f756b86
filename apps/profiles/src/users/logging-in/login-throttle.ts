import type { ResponseHeaders } from '@ripple/http-edge';
import { LoginThrottledError } from '../user.errors';

export interface LoginThrottleLimits {
  perAccount: number;
  perAddress: number;
  windowMs: number;
}

interface Window {
  failures: number;
  endsAt: number;
}

/** Entries kept before expired ones are swept. */
const SWEEP_AT = 10_000;

/**
 * Failed password checks per account and per client address in fixed windows:
 * at the limit, every attempt (a right password included) is refused until the
 * window ends, so guessing gains nothing by going on. A success clears its
 * account. Held in memory: each instance of the service counts on its own.
 */
export class LoginThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly limits: LoginThrottleLimits, private readonly now: () => number = Date.now) {}

  /** Throws LoginThrottledError, with the seconds until it may try again, when either key is at its limit. */
  check(account: string, address: string): void {
    const now = this.now();
    const waits = [this.blockedFor(accountKey(account), this.limits.perAccount, now), this.blockedFor(addressKey(address), this.limits.perAddress, now)];
    const ms = Math.max(...waits);
    if (ms > 0) throw new LoginThrottledError(Math.ceil(ms / 1000));
  }

  failed(account: string, address: string): void {
    const now = this.now();
    if (this.windows.size >= SWEEP_AT) for (const [k, w] of this.windows) if (w.endsAt <= now) this.windows.delete(k);
    for (const key of [accountKey(account), addressKey(address)]) {
      const w = this.windows.get(key);
      if (w && w.endsAt > now) w.failures++;
      else this.windows.set(key, { failures: 1, endsAt: now + this.limits.windowMs });
    }
  }

  succeeded(account: string): void {
    this.windows.delete(accountKey(account));
  }

  private blockedFor(key: string, limit: number, now: number): number {
    const w = this.windows.get(key);
    return w && w.endsAt > now && w.failures >= limit ? w.endsAt - now : 0;
  }
}

/** `throttle.check`, telling the client when to try again (`Retry-After`) when it refuses. */
export function admitAttempt(throttle: LoginThrottle, account: string, address: string, res: ResponseHeaders): void {
  try {
    throttle.check(account, address);
  } catch (err) {
    if (err instanceof LoginThrottledError) res.header('Retry-After', String(err.retryAfterSeconds));
    throw err;
  }
}

const accountKey = (account: string) => `account:${account.toLowerCase()}`;
const addressKey = (address: string) => `address:${address}`;

/**
 * The client's address: the last X-Forwarded-For entry, which the gateway (the
 * one hop in front of this service) appends; earlier entries are the client's
 * word. Without one, the connection's peer.
 */
/** What `clientAddress` reads of a request (Node's, Express's or Fastify's). */
export interface AddressedRequest {
  headers: Record<string, string | string[] | undefined>;
  socket: { remoteAddress?: string };
}

export function clientAddress(req: AddressedRequest): string {
  const forwarded = req.headers['x-forwarded-for'];
  const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded ?? '').split(',').map((s) => s.trim()).filter(Boolean).pop();
  return last ?? req.socket.remoteAddress ?? 'unknown';
}
