import { bearerToken, verifyToken } from '@ripple/auth';
import { AuthRequiredError, TokenInUrlError } from './sync.errors';
import type { SyncIdentity, TicketStore } from './tickets';

export interface SyncCredentials {
  authorization?: string;
  query: URLSearchParams;
}

/** Who is connecting: a bearer token in the header, or a ticket in the query; never a token in the URL. */
export class SyncAuthenticator {
  constructor(private readonly secret: string, private readonly tickets: TicketStore) {}

  async identify(creds: SyncCredentials): Promise<SyncIdentity> {
    if (creds.query.has('token') || creds.query.has('access_token')) throw new TokenInUrlError();
    const token = bearerToken(creds.authorization);
    if (token) return this.fromToken(token);
    const ticket = creds.query.get('ticket');
    if (ticket) return this.tickets.redeem(ticket);
    throw new AuthRequiredError();
  }

  fromToken(token: string): SyncIdentity {
    const claims = verifyToken(token, this.secret);
    return { userId: claims.sub, role: claims.role, username: claims.username, exp: claims.exp };
  }
}
