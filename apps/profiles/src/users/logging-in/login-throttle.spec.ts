import { LoginThrottledError } from '../user.errors';
import { clientAddress, LoginThrottle } from './login-throttle';

const throttle = () => {
  const clock = { now: 1_000_000 };
  return { clock, t: new LoginThrottle({ perAccount: 3, perAddress: 5, windowMs: 60_000 }, () => clock.now) };
};
const retryAfter = (f: () => void) => {
  try {
    f();
  } catch (err) {
    if (err instanceof LoginThrottledError) return err.retryAfterSeconds;
    throw err;
  }
  return 0;
};

describe('LoginThrottle', () => {
  it('refuses an account at its limit until the window ends, naming the seconds left', () => {
    const { clock, t } = throttle();
    for (let i = 0; i < 3; i++) {
      expect(retryAfter(() => t.check('Alice', '10.0.0.1'))).toBe(0);
      t.failed('alice', `10.0.0.${i}`);
    }
    clock.now += 15_500;
    expect(retryAfter(() => t.check('ALICE', '10.0.0.9'))).toBe(45);
    expect(retryAfter(() => t.check('bob', '10.0.0.9'))).toBe(0);
    clock.now += 44_500;
    expect(retryAfter(() => t.check('alice', '10.0.0.9'))).toBe(0);
  });

  it('refuses an address that fails across many accounts', () => {
    const { t } = throttle();
    for (let i = 0; i < 5; i++) t.failed(`user${i}`, '10.0.0.1');
    expect(retryAfter(() => t.check('someone-else', '10.0.0.1'))).toBe(60);
    expect(retryAfter(() => t.check('someone-else', '10.0.0.2'))).toBe(0);
  });

  it('forgets an account\'s failures once it signs in', () => {
    const { t } = throttle();
    t.failed('alice', 'a');
    t.failed('alice', 'b');
    t.succeeded('alice');
    t.failed('alice', 'c');
    t.failed('alice', 'd');
    expect(retryAfter(() => t.check('alice', 'e'))).toBe(0);
  });
});

describe('clientAddress', () => {
  it('takes the entry the gateway appended, not what the client claimed before it', () => {
    expect(clientAddress({ headers: { 'x-forwarded-for': '6.6.6.6, 10.1.2.3' }, socket: { remoteAddress: '127.0.0.1' } })).toBe('10.1.2.3');
    expect(clientAddress({ headers: {}, socket: { remoteAddress: '127.0.0.1' } })).toBe('127.0.0.1');
  });
});
