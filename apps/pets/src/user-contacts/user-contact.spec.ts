import type { ProfilesEvent } from '@ripple/contracts';
import { contactChanged, evolveContact, mayChangeContact } from './user-contact';

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

  it('calls an event unable to change a contact only when the fold leaves every contact as it was', () => {
    const c = evolveContact(undefined, event('UserRegistered', { username: 'carl', email: 'c@x', role: 'user', profileInfo: { fullName: 'Carl', phone: '1' } }));
    const events = [
      event('UserProfileUpdated', { changes: { bio: 'hi', venueDescription: 'new' } }),
      event('UserProfileUpdated', { changes: { fullName: 'Carla' } }),
      event('UserProfileUpdated', { changes: { phone: '2' } }, '2026-01-05T00:00:00.000Z'),
      event('UserProfileUpdated', { changes: { phone: '1' } }, '2026-01-05T00:00:00.000Z'),
      event('UserProfileUpdated', { changes: { fullName: null } }),
      event('UserRoleChanged', { from: 'user', to: 'venue_owner' }),
      event('UserTokensRevoked', { tokenVersion: 2 }),
    ];
    expect(events.map(mayChangeContact)).toEqual([false, true, true, true, true, true, false]);
    for (const e of events) if (!mayChangeContact(e)) expect(evolveContact(c, e)).toEqual(c);
  });
});
