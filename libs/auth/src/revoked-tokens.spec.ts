import { peekClaims, signToken } from './jwt';
import { parseTokensRevokedHeader, RevokedTokens, tokensRevokedHeader } from './revoked-tokens';

describe('RevokedTokens', () => {
  it('refuses tokens below the user\'s latest version, and only raises it', () => {
    const revoked = new RevokedTokens();
    expect(revoked.isRevoked('u1', undefined)).toBe(false);
    expect(revoked.revoke('u1', 2)).toBe(true);
    expect(revoked.isRevoked('u1', undefined)).toBe(true);
    expect(revoked.isRevoked('u1', 1)).toBe(true);
    expect(revoked.isRevoked('u1', 2)).toBe(false);
    expect(revoked.isRevoked('u2', 0)).toBe(false);
    expect(revoked.revoke('u1', 1)).toBe(false);
    expect(revoked.isRevoked('u1', 2)).toBe(false);
  });

  it('reads the header a service answers with, and nothing else', () => {
    const id = '0190f5d2-0000-7000-8000-00000000a0a0';
    expect(parseTokensRevokedHeader(tokensRevokedHeader(id, 3))).toEqual({ userId: id, tokenVersion: 3 });
    expect(parseTokensRevokedHeader('u1 3')).toBeUndefined();
    expect(parseTokensRevokedHeader(`${id} -1`)).toBeUndefined();
  });

  it('peeks at a token\'s claims without trusting them', () => {
    expect(peekClaims(signToken({ sub: 'u1', role: 'user', username: 'o', tv: 4 }, 'secret-secret-secret', 60))).toMatchObject({ sub: 'u1', tv: 4 });
    expect(peekClaims('not-a-token')).toBeUndefined();
    expect(peekClaims('a.%%%.c')).toBeUndefined();
  });
});
