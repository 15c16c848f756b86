import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataSource } from 'typeorm';
import { bearerToken, parseTokensRevokedHeader, peekClaims, RevokedTokens, TokenRevokedError } from '@ripple/auth';
import type { FeedRow } from '../feed/feed-reader';
import { sendError } from '../proxy/error-response';

type Listener = (userId: string, tokenVersion: number) => void;

/**
 * Which tokens this gateway refuses, held in memory so a request costs no query:
 * loaded at boot from the versions the change feed projects, then raised by the
 * revocations this instance forwards (the service's response header: at once)
 * and by the `UserTokensRevoked` changes its feed tail reads (every instance:
 * as soon as the change reaches the feed).
 */
export class TokenRevocations {
  private readonly revoked = new RevokedTokens();
  private readonly listeners: Listener[] = [];

  constructor(private readonly db: DataSource) {}

  async load(): Promise<void> {
    const rows: { user_id: string; token_version: number }[] = await this.db.query('SELECT user_id, token_version FROM gateway.user_roles WHERE token_version > 0');
    for (const r of rows) this.revoke(r.user_id, r.token_version);
  }

  /** Open streams of the user re-check their tokens through this. */
  onRevoke(listener: Listener): void {
    this.listeners.push(listener);
  }

  revoke(userId: string, tokenVersion: number): void {
    if (!this.revoked.revoke(userId, tokenVersion)) return;
    for (const listener of this.listeners) listener(userId, tokenVersion);
  }

  isRevoked(userId: string, tokenVersion: number | undefined): boolean {
    return this.revoked.isRevoked(userId, tokenVersion);
  }

  /** For the feed tail: every change it reads passes here. */
  readonly observe = (row: FeedRow): void => {
    if (row.eventType !== 'UserTokensRevoked') return;
    const tokenVersion = (row.data as { tokenVersion?: unknown }).tokenVersion;
    if (typeof tokenVersion === 'number') this.revoke(row.recordId, tokenVersion);
  };

  /** For the proxy: a service's answer saying it revoked a user's tokens. */
  fromResponseHeader(value: string | string[] | undefined): void {
    const parsed = typeof value === 'string' ? parseTokensRevokedHeader(value) : undefined;
    if (parsed) this.revoke(parsed.userId, parsed.tokenVersion);
  }

  /**
   * Refuses a revoked bearer token before anything else sees the request. Its
   * claims are only peeked at: a forged token cannot un-revoke anything, and
   * whoever serves the request verifies it. Free while nobody was ever revoked.
   */
  readonly refuseRevoked = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (this.revoked.size === 0) return next();
    const token = bearerToken(req.headers.authorization);
    const claims = token ? peekClaims(token) : undefined;
    if (typeof claims?.sub !== 'string' || !this.isRevoked(claims.sub, claims.tv)) return next();
    const err = new TokenRevokedError();
    sendError(res, 401, { code: err.code, message: err.message });
  };
}
