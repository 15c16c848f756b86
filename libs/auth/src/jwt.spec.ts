import { ExpiredTokenError, InvalidTokenError, signToken, verifyToken } from './jwt';
import { hashPassword, verifyPassword } from './password';

const secret = 'a-test-secret-of-some-length';

describe('jwt', () => {
  it('round-trips claims', () => {
    const claims = verifyToken(signToken({ sub: 'u1', role: 'venue', username: 'o' }, secret, 60), secret);
    expect(claims).toMatchObject({ sub: 'u1', role: 'venue', username: 'o' });
    expect(claims.exp - claims.iat).toBe(60);
  });

  it('rejects a wrong secret, a tampered payload, alg none and expiry', () => {
    const token = signToken({ sub: 'u1', role: 'user', username: 'o' }, secret, 60);
    expect(() => verifyToken(token, 'another-secret-entirely')).toThrow(InvalidTokenError);
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'u1', role: 'admin', username: 'o', exp: 9e9 })).toString('base64url');
    expect(() => verifyToken(`${h}.${forged}.${s}`, secret)).toThrow(/signature/);
    const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    expect(() => verifyToken(`${none}.${forged}.`, secret)).toThrow(/algorithm/);
    expect(() => verifyToken(signToken({ sub: 'u1', role: 'user', username: 'o' }, secret, 60, Date.now() - 120_000), secret)).toThrow(ExpiredTokenError);
  });
});

describe('password', () => {
  it('verifies the right password only', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$/);
    await expect(verifyPassword('correct horse', hash)).resolves.toBe(true);
    await expect(verifyPassword('wrong horse', hash)).resolves.toBe(false);
  });
});
