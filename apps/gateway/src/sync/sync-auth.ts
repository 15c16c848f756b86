import { bearerToken, TokenRevokedError, verifyToken } from '@ripple/auth';
import type { TokenRevocations } from '../revocation/token-revocations';
import { AuthRequiredError, TokenInUrlError } from './sync.errors';
import type { SyncIdentity, TicketStore } from './tickets';

export interface SyncCredentials {
  authorization?: string;
  query: URLSearchParams;
}

/** Who is connecting: a bearer token in the header, or a ticket in the query; never a token in the URL. A revoked token (or a ticket traded for one) is refused. */
export class SyncAuthenticator {
  constructor(private readonly secret: string, private readonly tickets: TicketStore, private readonly revocations: TokenRevocations) {}

  async identify(creds: SyncCredentials): Promise<SyncIdentity> {
    const identity = await this.credentialed(creds);
    if (this.revocations.isRevoked(identity.userId, identity.tokenVersion)) throw new TokenRevokedError();
    return identity;
  }

  private async credentialed(creds: SyncCredentials): Promise<SyncIdentity> {
    if (creds.query.has('token') || creds.query.has('access_token')) throw new TokenInUrlError();
    const token = bearerToken(creds.authorization);
    if (token) {
      const claims = verifyToken(token, this.secret);
      return { userId: claims.sub, role: claims.role, username: claims.username, exp: claims.exp, tokenVersion: claims.tv ?? 0 };
    }
    const ticket = creds.query.get('ticket');
    if (ticket) return this.tickets.redeem(ticket);
    throw new AuthRequiredError();
  }
}
