import type { ProfilesEvent } from '@ripple/contracts';
import { businessSynced, evolveDirectory, type DirectoryEntry } from './business-from-profile';

let version = 0;
const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
const event = (type: ProfilesEvent['type'], data: unknown): ProfilesEvent =>
  ({
    id: `00000000-0000-7000-8000-${String(++version).padStart(12, '0')}`,
    type, data, schemaVersion: 1, aggregateType: 'user', aggregateId: 'u1', aggregateVersion: version,
    occurredAt: at(version), correlationId: 'c', causationId: 'c', actor: 'u1',
  }) as ProfilesEvent;
const registered = (role: string, profileInfo = {}) => event('UserRegistered', { username: 'owner', email: 'o@x.io', role, profileInfo });
const updated = (changes: Record<string, unknown>) => event('UserProfileUpdated', { changes });
const given = (...events: ProfilesEvent[]): DirectoryEntry => events.reduce(evolveDirectory, {} as DirectoryEntry);

beforeEach(() => (version = 0));

describe('venue from profile', () => {
  it('creates the venue only once name and location are both known', () => {
    const onlyName = given(registered('venue'), updated({ venueName: 'Elite Arena' }));
    expect(onlyName.venue).toBeUndefined();
    const both = evolveDirectory(onlyName, updated({ venueLocation: 'Quito' }));
    expect(both.venue).toMatchObject({ name: 'Elite Arena', location: 'Quito', description: '', contactInfo: {}, version: 1, ownerId: 'u1' });
    expect(both.venue!.lastEventType).toBe('UserProfileUpdated');
  });

  it('falls back to businessName for the name', () => {
    const entry = given(registered('venue', { businessName: 'Elite LLC', venueLocation: 'Quito' }));
    expect(entry.venue?.name).toBe('Elite LLC');
    expect(evolveDirectory(entry, updated({ venueName: 'Elite Arena' })).venue?.name).toBe('Elite Arena');
  });

  it('keeps existing values when a field is cleared in the profile', () => {
    const entry = given(registered('venue', { venueName: 'A', venueLocation: 'Quito', venueEmail: 'a@x.io', venueDescription: 'd' }));
    const next = evolveDirectory(entry, updated({ venueDescription: null, venueEmail: null, venueWebsite: 'https://a.io' }));
    expect(next.venue).toMatchObject({ description: 'd', contactInfo: { email: 'a@x.io', website: 'https://a.io' }, version: 2 });
  });

  it('ignores changes to fields it does not map, and changes that change nothing', () => {
    const entry = given(registered('venue', { venueName: 'A', venueLocation: 'Quito' }));
    expect(evolveDirectory(entry, updated({ fullName: 'John', bio: 'hi' })).venue).toBe(entry.venue);
    expect(evolveDirectory(entry, updated({ venueEmail: null })).venue).toBe(entry.venue);
    const withContact = evolveDirectory(entry, updated({ venueEmail: 'a@x.io' }));
    expect(withContact.venue).toMatchObject({ contactInfo: { email: 'a@x.io' }, version: 2 });
    expect(evolveDirectory(withContact, updated({ venueName: 'A', venueEmail: 'a@x.io', venueLocation: 'Quito' })).venue).toBe(withContact.venue);
    expect(evolveDirectory(withContact, updated({ venueEmail: 'b@x.io' })).venue).toMatchObject({ contactInfo: { email: 'b@x.io' }, version: 3 });
  });

  it('does not create a venue for another role, but creates it when the role becomes venue', () => {
    const entry = given(registered('user', { venueName: 'A', venueLocation: 'Quito' }));
    expect(entry.venue).toBeUndefined();
    const promoted = evolveDirectory(entry, event('UserRoleChanged', { from: 'user', to: 'venue' }));
    expect(promoted.venue?.name).toBe('A');
  });
});

describe('gallera from profile', () => {
  it('maps every gallera field, including specialties and active roosters', () => {
    const entry = given(registered('gallera', { galleraName: 'G', galleraLocation: 'Lima', galleraSpecialties: 'breeding', galleraActiveRoosters: 12, galleraWebsite: 'https://g.io' }));
    expect(entry.gallera).toMatchObject({ name: 'G', location: 'Lima', specialties: 'breeding', activeRoosters: 12, contactInfo: { website: 'https://g.io' } });
    expect(entry.venue).toBeUndefined();
    const next = evolveDirectory(entry, updated({ galleraActiveRoosters: 15 }));
    expect(next.gallera).toMatchObject({ activeRoosters: 15, specialties: 'breeding', version: 2 });
    expect(evolveDirectory(next, updated({ galleraActiveRoosters: 15, galleraSpecialties: 'breeding' })).gallera).toBe(next.gallera);
  });
});

describe('businessSynced', () => {
  it('publishes every field on creation, then only what changed, and nothing for no change', () => {
    const created = given(registered('gallera', { galleraName: 'G', galleraLocation: 'Lima', galleraActiveRoosters: 3 }));
    expect(businessSynced(undefined, created.gallera)).toEqual({
      ownerId: 'u1', created: true,
      changes: { ownerId: 'u1', name: 'G', location: 'Lima', description: '', contactInfo: {}, specialties: null, activeRoosters: 3 },
    });
    const next = evolveDirectory(created, updated({ galleraActiveRoosters: 4, galleraEmail: 'g@x.io' }));
    expect(businessSynced(created.gallera, next.gallera)).toEqual({ ownerId: 'u1', created: false, changes: { contactInfo: { email: 'g@x.io' }, activeRoosters: 4 } });
    const same = evolveDirectory(next, updated({ bio: 'x' }));
    expect(businessSynced(next.gallera, same.gallera)).toBeUndefined();
  });
});
