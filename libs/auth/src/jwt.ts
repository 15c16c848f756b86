import { createHmac, timingSafeEqual } from 'node:crypto';
import { RippleError } from '@ripple/errors';

export interface TokenClaims {
  sub: string;
  role: string;
  username: string;
  /** The user's token version at issue; a revocation raises it (absent: 0). */
  tv?: number;
  iat: number;
  exp: number;
}

export class InvalidTokenError extends RippleError {
  readonly code = 'INVALID_TOKEN';
  readonly httpStatus = 401;
}
export class ExpiredTokenError extends RippleError {
  readonly code = 'TOKEN_EXPIRED';
  readonly httpStatus = 401;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/** HS256 JWT: small enough to own, and no native or ESM-only dependency. */
export function signToken(claims: Omit<TokenClaims, 'iat' | 'exp'>, secret: string, ttlSeconds: number, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const payload = b64url(JSON.stringify({ ...claims, iat, exp: iat + ttlSeconds }));
  const sig = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url');
  return `${HEADER}.${payload}.${sig}`;
}

/**
 * The claims of a token without checking its signature: only for decisions that
 * can only refuse (is this token revoked?); a forged token gains nothing here and
 * is refused by whoever verifies it.
 */
export function peekClaims(token: string): Partial<TokenClaims> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    return typeof claims === 'object' && claims !== null ? claims : undefined;
  } catch {
    return undefined;
  }
}

export function verifyToken(token: string, secret: string, now = Date.now()): TokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new InvalidTokenError('malformed token');
  const [header, payload, sig] = parts;
  let alg: unknown;
  try {
    alg = JSON.parse(Buffer.from(header, 'base64url').toString()).alg;
  } catch {
    throw new InvalidTokenError('malformed token header');
  }
  if (alg !== 'HS256') throw new InvalidTokenError('unsupported token algorithm');
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidTokenError('bad token signature');
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  } catch {
    throw new InvalidTokenError('malformed token payload');
  }
  if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') throw new InvalidTokenError('token lacks sub or exp');
  if (claims.exp * 1000 <= now) throw new ExpiredTokenError('token expired');
  return claims;
}
