import type { CausationContext, EventEnvelope, UserTokensRevoked } from '@ripple/contracts';
import { TOKENS_REVOKED_HEADER, tokensRevokedHeader } from '@ripple/auth';
import { MAX_VERSION } from '@ripple/event-store';
import { correlationIdOf, type ResponseHeaders } from '@ripple/http-edge';

/** A command's causation: the HTTP request is the first cause of its events. */
export function causationOf(req: unknown, actor: string): CausationContext {
  const correlationId = correlationIdOf(req);
  return { correlationId, causationId: correlationId, actor };
}

/** `If-Match: "3"`, `W/"3"` or `3` → 3; absent → undefined; not a version (or beyond any) → 'invalid'. */
export function parseIfMatch(header: string | undefined): number | undefined | 'invalid' {
  if (header === undefined || header === '*') return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  return m && Number(m[1]) <= MAX_VERSION ? Number(m[1]) : 'invalid';
}

/**
 * Tells the gateway forwarding this answer that the user's older tokens are
 * revoked, so it refuses them from the next request on; other gateway
 * instances learn it from the event.
 */
export function announceRevocation(res: ResponseHeaders, events: EventEnvelope[]): void {
  const revoked = events.find((e): e is UserTokensRevoked => e.type === 'UserTokensRevoked');
  if (revoked) res.header(TOKENS_REVOKED_HEADER, tokensRevokedHeader(revoked.aggregateId, revoked.data.tokenVersion));
}
