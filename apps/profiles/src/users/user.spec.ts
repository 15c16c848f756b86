import type { ProfilesEvent } from '@ripple/contracts';
import { changePassword, changeRole, displayName, evolve, logOut, registerUser, updateProfile, type UserState } from './user';
import { UserVersionConflictError } from './user.errors';

const envelope = (e: { type: string; data: unknown }, version: number) =>
  ({ ...e, id: `e${version}`, aggregateId: 'u1', aggregateType: 'user', aggregateVersion: version }) as unknown as ProfilesEvent;
const given = (...events: { type: string; data: unknown }[]) => events.reduce<UserState | undefined>((s, e, i) => evolve(s, envelope(e, i + 1)), undefined)!;
const registered = (profileInfo = {}, role = 'venue') => registerUser({ userId: 'u1', username: 'owner', email: 'o@x.io', role: role as never, profileInfo })[0];

describe('updateProfile', () => {
  it('emits only the fields whose value changes', () => {
    const state = given(registered({ fullName: 'John', venueName: 'A' }));
    expect(updateProfile(state, { changes: { fullName: 'John', venueName: 'B', venueLocation: 'Quito' } })).toEqual([
      { type: 'UserProfileUpdated', data: { changes: { venueName: 'B', venueLocation: 'Quito' } } },
    ]);
  });

  it('emits nothing when nothing changes', () => {
    const state = given(registered({ venueName: 'A' }));
    expect(updateProfile(state, { changes: { venueName: ' A ', bio: null } })).toEqual([]);
  });

  it('treats null and blank strings as clearing a field', () => {
    const state = given(registered({ venueName: 'A', bio: 'b' }));
    const events = updateProfile(state, { changes: { venueName: null, bio: '   ' } });
    expect(events[0].data.changes).toEqual({ venueName: null, bio: null });
    const next = evolve(state, envelope(events[0], 2));
    expect(next.profileInfo).toEqual({});
    expect(next.version).toBe(2);
  });

  it('refuses a stale expected version, naming the current one', () => {
    const state = given(registered(), { type: 'UserProfileUpdated', data: { changes: { fullName: 'x' } } });
    expect(() => updateProfile(state, { changes: { fullName: 'y' }, expectedVersion: 1 })).toThrow(UserVersionConflictError);
    try {
      updateProfile(state, { changes: {}, expectedVersion: 1 });
    } catch (err) {
      expect((err as UserVersionConflictError).currentVersion).toBe(2);
    }
    expect(updateProfile(state, { changes: { fullName: 'y' }, expectedVersion: 2 })).toHaveLength(1);
  });
});

describe('changeRole', () => {
  it('emits the change once, revoking the tokens that claim the old role', () => {
    const state = given(registered({}, 'user'));
    expect(changeRole(state, 'venue')).toEqual([
      { type: 'UserRoleChanged', data: { from: 'user', to: 'venue' } },
      { type: 'UserTokensRevoked', data: { tokenVersion: 1, reason: 'role_changed' } },
    ]);
    expect(changeRole(state, 'user')).toEqual([]);
  });
});

describe('token revocation', () => {
  it('raises the token version by one per revocation, whatever revoked it', () => {
    const state = given(registered({}, 'admin'), ...changeRole(given(registered({}, 'admin')), 'user'));
    expect(state).toMatchObject({ role: 'user', tokenVersion: 1, version: 3 });
    const [logout] = logOut(state);
    expect(logout).toEqual({ type: 'UserTokensRevoked', data: { tokenVersion: 2, reason: 'logged_out' } });
    const after = evolve(state, envelope(logout, 4));
    expect(changePassword(after)).toEqual([{ type: 'UserTokensRevoked', data: { tokenVersion: 3, reason: 'password_changed' } }]);
  });
});

describe('displayName', () => {
  const name = (role: string, profileInfo: Record<string, string>) => displayName({ role: role as never, username: 'owner', profileInfo });
  it.each([
    ['venue', { venueName: 'V', businessName: 'B', fullName: 'F' }, 'V'],
    ['venue', { businessName: 'B', fullName: 'F' }, 'B'],
    ['venue', { fullName: 'F' }, 'F'],
    ['venue', {}, 'owner'],
    ['gallera', { galleraName: 'G', venueName: 'V', businessName: 'B' }, 'G'],
    ['gallera', { venueName: 'V', businessName: 'B' }, 'B'],
    ['pet_owner', { venueName: 'V', businessName: 'B', fullName: 'F' }, 'F'],
    ['user', {}, 'owner'],
  ])('%s %j → %s', (role, profileInfo, expected) => expect(name(role, profileInfo)).toBe(expected));
});
