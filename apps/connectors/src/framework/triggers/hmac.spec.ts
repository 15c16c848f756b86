import { signTrigger, TriggerSignatureError, verifyTrigger } from './hmac';

const secret = 'a-sync-secret-of-some-length';
const now = 1_767_225_600_000;
const ts = String(now / 1000);
const body = Buffer.from('{"connector":"nowrepblue"}');

const problem = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    return (err as TriggerSignatureError).problem;
  }
  return 'accepted';
};

describe('verifyTrigger', () => {
  it('accepts a fresh signature over timestamp and body', () => {
    expect(problem(() => verifyTrigger({ timestamp: ts, signature: signTrigger(secret, ts, body), rawBody: body }, secret, now, 300))).toBe('accepted');
  });

  it.each([
    ['no headers', { timestamp: undefined, signature: undefined, rawBody: body }, 'missing'],
    ['a non-hex signature', { timestamp: ts, signature: 'sha256=zz', rawBody: body }, 'malformed'],
    ['a timestamp older than 5 minutes', { timestamp: String(now / 1000 - 301), signature: signTrigger(secret, now / 1000 - 301, body), rawBody: body }, 'stale'],
    ['a timestamp from the future', { timestamp: String(now / 1000 + 301), signature: signTrigger(secret, now / 1000 + 301, body), rawBody: body }, 'stale'],
    ['another secret', { timestamp: ts, signature: signTrigger('another-secret-entirely', ts, body), rawBody: body }, 'mismatch'],
    ['a changed body', { timestamp: ts, signature: signTrigger(secret, ts, body), rawBody: Buffer.from('{"connector":"x"}') }, 'mismatch'],
    ['a moved timestamp', { timestamp: String(now / 1000 - 1), signature: signTrigger(secret, ts, body), rawBody: body }, 'mismatch'],
  ])('refuses %s', (_what, req, expected) => {
    expect(problem(() => verifyTrigger(req, secret, now, 300))).toBe(expected);
  });
});
