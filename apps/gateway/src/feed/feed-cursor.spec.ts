import { CursorCodec, ForgedCursorError } from './feed-cursor';

const codec = new CursorCodec('a-secret-of-sixteen-chars');
const at = { epoch: '0190a3c2-0000-7000-8000-000000000001', position: 42 };

describe('cursor codec', () => {
  it('round-trips a position for the user it was issued to, and reveals nothing of it', () => {
    const cursor = codec.encode('alice', at);
    expect(codec.decode('alice', cursor)).toEqual(at);
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toContain('42');
  });

  it.each([
    ['another user', (c: string) => ['bob', c]],
    ['a flipped byte', (c: string) => ['alice', `${c.slice(0, 20)}${c[20] === 'A' ? 'B' : 'A'}${c.slice(21)}`]],
    ['a made-up value', () => ['alice', '42']],
    ['an oversized value', () => ['alice', 'A'.repeat(1000)]],
    ['another secret', () => ['alice', new CursorCodec('another-secret-sixteen').encode('alice', at)]],
  ])('refuses a cursor from %s', (_what, make) => {
    const [user, cursor] = make(codec.encode('alice', at));
    expect(() => codec.decode(user, cursor)).toThrow(ForgedCursorError);
  });
});
