import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { InvalidTicketError } from './sync.errors';

export interface SyncIdentity {
  userId: string;
  role: string;
  username: string;
  /** When the token behind this identity expires (seconds since epoch): the connection closes then. */
  exp: number;
  /** The token's version (`tv`): the connection closes when the user's tokens below a higher one are revoked. */
  tokenVersion: number;
}

const hash = (ticket: string) => createHash('sha256').update(ticket).digest('base64url');

/**
 * Short-lived, single-use tickets for clients that cannot send headers (a
 * browser's EventSource or WebSocket). Kept in PostgreSQL, so any instance can
 * redeem one; only a hash is stored, and a redeemed ticket is spent atomically.
 */
export class TicketStore {
  constructor(private readonly db: DataSource, private readonly ttlSeconds: number) {}

  async issue(identity: SyncIdentity): Promise<{ ticket: string; expiresAt: string }> {
    const ticket = randomBytes(32).toString('base64url');
    // Never outlives the token it was traded for.
    const expiresAt = new Date(Math.min(Date.now() + this.ttlSeconds * 1000, identity.exp * 1000));
    await this.db.query(
      'INSERT INTO gateway.tickets (ticket_hash, user_id, role, username, token_exp, token_version, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [hash(ticket), identity.userId, identity.role, identity.username, identity.exp, identity.tokenVersion, expiresAt],
    );
    // Spent and expired tickets are of no use to anyone: sweep them as new ones are issued.
    await this.db.query(`DELETE FROM gateway.tickets WHERE expires_at < now() - interval '1 hour'`);
    return { ticket, expiresAt: expiresAt.toISOString() };
  }

  async redeem(ticket: string): Promise<SyncIdentity> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(ticket)) throw new InvalidTicketError();
    const [[row]] = await this.db.query(
      `UPDATE gateway.tickets SET used_at = now() WHERE ticket_hash = $1 AND used_at IS NULL AND expires_at > now()
       RETURNING user_id, role, username, token_exp, token_version`,
      [hash(ticket)],
    );
    if (!row) throw new InvalidTicketError();
    return { userId: row.user_id, role: row.role, username: row.username, exp: Number(row.token_exp), tokenVersion: row.token_version };
  }
}
