import { RippleError } from '@ripple/errors';

/**
 * A service that commits a revocation says so in this response header
 * (`<userId> <tokenVersion>`), so the gateway that forwards the answer refuses the
 * old tokens before the client even reads it; the gateway strips it.
 */
export const TOKENS_REVOKED_HEADER = 'ripple-tokens-revoked';

export const tokensRevokedHeader = (userId: string, tokenVersion: number) => `${userId} ${tokenVersion}`;

export function parseTokensRevokedHeader(value: string): { userId: string; tokenVersion: number } | undefined {
  const m = /^([0-9a-f-]{36}) (\d+)$/i.exec(value.trim());
  return m ? { userId: m[1].toLowerCase(), tokenVersion: Number(m[2]) } : undefined;
}

export class TokenRevokedError extends RippleError {
  readonly code = 'TOKEN_REVOKED';
  readonly httpStatus = 401;
  constructor() {
    super('token was revoked (role change, password change or logout): sign in again');
  }
}

/**
 * The lowest token version each user's tokens must carry: one entry per user
 * whose tokens were ever revoked. Only raised, never lowered, so a revocation
 * learnt twice (from a response header, then from the event) is harmless.
 */
export class RevokedTokens {
  private readonly minimum = new Map<string, number>();

  /** Returns true when this raised the user's minimum (the user's open streams must re-check). */
  revoke(userId: string, tokenVersion: number): boolean {
    if ((this.minimum.get(userId) ?? 0) >= tokenVersion) return false;
    this.minimum.set(userId, tokenVersion);
    return true;
  }

  isRevoked(userId: string, tokenVersion: number | undefined): boolean {
    const min = this.minimum.get(userId);
    return min !== undefined && (tokenVersion ?? 0) < min;
  }

  get size(): number {
    return this.minimum.size;
  }
}
