import type { ProfilesEvent } from '@ripple/contracts';
import { contactCopies } from './contact-copies';
import { record } from './fixtures';
import { lastWriterWins } from './sync-plan';
import { contactChanged, evolveContact, type UserContact } from './user-contact';

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

describe('contact copies', () => {
  const carl: UserContact = {
    userId: 'u1', username: 'carl', role: 'veterinarian', fullName: 'Carl C.', phone: '+1 999', phoneAt: '2026-01-02T00:00:00.000Z',
  };
  const records = [
    record('pet', 'p1', { emergencyContactUserId: 'u1', emergencyContactName: 'Carl', emergencyContactPhone: '+1 222' }),
    record('pet', 'p2', { emergencyContactUserId: 'u2' }),
    record('lost-pet', 'l1', { reporterId: 'u1', status: 'lost', contactPhone: '+1 222' }),
    record('lost-pet', 'l2', { reporterId: 'u1', status: 'found', contactPhone: '+1 222' }),
    record('veterinarian', 'v1', { userId: 'u1', phone: '+1 222' }),
    record('health-record', 'h1', { vetId: 'v1' }),
  ];

  it('sends name and phone to emergency contacts, phone to open lost-pet reports and the linked vet', () => {
    const plans = contactCopies(carl, records);
    expect(plans.map((p) => [p.target.id, p.wanted])).toEqual([
      ['p1', { emergencyContactName: 'Carl C.', emergencyContactPhone: '+1 999' }],
      ['l1', { contactPhone: '+1 999' }],
      ['v1', { phone: '+1 999' }],
    ]);
    expect(plans.every((p) => p.meta.rule === 'contact-from-profile' && p.meta.userId === 'u1')).toBe(true);
  });

  it('leaves a vet phone edited on the record after the profile phone was set: the later write wins', () => {
    const vet = (editedAt: string) => record('veterinarian', 'v1', { userId: 'u1', phone: '+1 555' }, null, { phone: editedAt });
    const [newerEdit] = contactCopies(carl, [vet('2026-01-02T12:00:00.000Z')]);
    expect(lastWriterWins(newerEdit)).toEqual({});
    const [olderEdit] = contactCopies(carl, [vet('2026-01-01T12:00:00.000Z')]);
    expect(lastWriterWins(olderEdit)).toEqual({ phone: '+1 999' });
    // Copies nobody edits by hand always follow their source.
    const [lost] = contactCopies(carl, [record('lost-pet', 'l1', { reporterId: 'u1', status: 'lost' }, null, { contactPhone: '2026-01-05T00:00:00.000Z' })]);
    expect(lastWriterWins(lost)).toEqual({ contactPhone: '+1 999' });
  });
});
