import { createHmac, timingSafeEqual } from 'node:crypto';

/** Minimal HS256 JWT, so the alternatives pay for authentication as Ripple's guard does. */
const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url');

export function signJwt(sub: string, secret: string, ttlSeconds = 3600): string {
  const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64(JSON.stringify({ sub, exp: Math.floor(Date.now() / 1000) + ttlSeconds }));
  return `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
}

export function verifyJwt(token: string, secret: string): string | undefined {
  const [head, body, sig] = token.split('.');
  if (!head || !body || !sig) return undefined;
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return undefined;
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
  return claims.exp * 1000 > Date.now() ? String(claims.sub) : undefined;
}
