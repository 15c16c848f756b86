import type { ProfilesEvent } from '@ripple/contracts';
import { contactChanged, evolveContact } from './user-contact';

const event = (type: string, data: unknown, occurredAt = '2026-01-01T00:00:00.000Z') => ({ type, data, id: 'e', aggregateId: 'u1', aggregateType: 'user', occurredAt }) as unknown as ProfilesEvent;

describe('user contact copy', () => {
  it('follows registration, phone and name changes; other fields do not count as a change', () => {
    const c = evolveContact(undefined, event('UserRegistered', { username: 'carl', email: 'c@x', role: 'user', profileInfo: { phone: '1' } }));
    expect(c).toEqual({ userId: 'u1', username: 'carl', role: 'user', fullName: null, phone: '1', phoneAt: '2026-01-01T00:00:00.000Z' });
    const renamed = evolveContact(c, event('UserProfileUpdated', { changes: { fullName: 'Carl', bio: 'hi' } }, '2026-01-02T00:00:00.000Z'));
    expect(contactChanged(c, renamed)).toBe(true);
    // A name change is not a phone change: the phone keeps the time it was set.
    expect(renamed).toMatchObject({ fullName: 'Carl', phoneAt: '2026-01-01T00:00:00.000Z' });
    expect(evolveContact(renamed, event('UserProfileUpdated', { changes: { phone: '2' } }, '2026-01-03T00:00:00.000Z')).phoneAt).toBe('2026-01-03T00:00:00.000Z');
    const bio = evolveContact(renamed, event('UserProfileUpdated', { changes: { bio: 'bye' } }));
    expect(contactChanged(renamed, bio)).toBe(false);
    expect(evolveContact(bio, event('UserProfileUpdated', { changes: { phone: null } })).phone).toBeNull();
  });
});
