import { visibleProfile } from './profiles.events';

describe('visibleProfile', () => {
  const profile = { fullName: 'Ana', phone: '555', address: 'Calle 1', venueName: 'Arena', venueEmail: 'v@x.io', bio: 'hi' };

  it('shows everything in full, the phone but not the address to a related party, neither to anyone else', () => {
    expect(visibleProfile(profile, 'full')).toEqual(profile);
    expect(visibleProfile(profile, 'contact')).toEqual({ fullName: 'Ana', phone: '555', venueName: 'Arena', venueEmail: 'v@x.io', bio: 'hi' });
    expect(visibleProfile(profile, 'public')).toEqual({ fullName: 'Ana', venueName: 'Arena', venueEmail: 'v@x.io', bio: 'hi' });
  });
});
