import { requestTarget, upstreamTarget } from './request-target';

const parsed = (path: string) => new URL(`http://gateway${path}`).pathname;

describe('requestTarget', () => {
  it('gives every path the pathname URL parsing gives it, plain or not', () => {
    const paths = [
      '/api/users/profile', '/api/venues/0190f5d2-0000-7000-8000-00000000abcd', '/api/users/', "/api/x:y@z!$&'()*+,;=~_-",
      '/', '//evil.example/x', '/api/venues/../users/me', '/api/./users', '/api/%2e%2e/ops/x', '/api/a b', '/api/ü', '/api\\users', '/api/users//x', '/api/a"b<c>',
    ];
    // And random paths over the characters a plain path may hold, plus a few it may not.
    const alphabet = "abcXYZ019-_~:@!$&'()*+,;=./%\\ ";
    for (let i = 0; i < 2000; i++) {
      const segments = Array.from({ length: 1 + (i % 4) }, (_, s) => Array.from({ length: (i * 7 + s) % 6 }, (_, c) => alphabet[(i * 31 + s * 17 + c * 13) % alphabet.length]).join(''));
      paths.push(`/${segments.join('/')}`);
    }
    for (const path of paths) expect([path, requestTarget(path)?.pathname]).toEqual([path, parsed(path)]);
  });

  it('keeps the query byte for byte and refuses targets that are not paths', () => {
    expect(requestTarget('/api/users?x=1&x=2&q=a%20b')).toEqual({ pathname: '/api/users', search: '?x=1&x=2&q=a%20b' });
    expect(requestTarget('/api/../users?a=..')).toEqual({ pathname: '/users', search: '?a=..' });
    expect(requestTarget('http://other/api/users')).toBeUndefined();
    expect(requestTarget('*')).toBeUndefined();
  });
});

describe('upstreamTarget', () => {
  it('joins the base URL\'s path prefix and the request\'s path, the same on every call', () => {
    for (let i = 0; i < 2; i++) {
      expect(upstreamTarget('http://127.0.0.1:3001/', '/api/users?x=1')).toEqual({ protocol: 'http:', hostname: '127.0.0.1', port: '3001', path: '/api/users?x=1' });
      expect(upstreamTarget('https://[::1]:8443/prefix//', '/api/pets')).toEqual({ protocol: 'https:', hostname: '::1', port: '8443', path: '/prefix/api/pets' });
    }
  });
});
