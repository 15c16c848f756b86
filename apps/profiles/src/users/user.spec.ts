import type { ProfilesEvent } from '@ripple/contracts';
import { VersionConflictError } from '@ripple/errors';
import { deciderSpec } from '@ripple/testing';
import { changePassword, changeRole, displayName, evolve, logOut, registerUser, updateProfile, type UserState } from './user';

const spec = deciderSpec<UserState, ProfilesEvent>({ evolve, aggregateType: 'user', aggregateId: 'u1' });
const registered = (profileInfo = {}, role = 'venue') => registerUser({ userId: 'u1', username: 'owner', email: 'o@x.io', role: role as never, profileInfo })[0];

describe('registerUser', () => {
  it('registers without the empty profile fields', () => {
    const user = spec.given().when(() => registerUser({ userId: 'u1', username: 'owner', email: 'o@x.io', role: 'venue', profileInfo: { fullName: 'John', bio: ' ' } })).then([
      { type: 'UserRegistered', data: { username: 'owner', email: 'o@x.io', role: 'venue', profileInfo: { fullName: 'John' } } },
    ]);
    expect(user).toMatchObject({ id: 'u1', role: 'venue', profileInfo: { fullName: 'John' }, tokenVersion: 0, version: 1 });
  });
});

describe('updateProfile', () => {
  it('emits only the fields whose value changes', () => {
    spec.given(registered({ fullName: 'John', venueName: 'A' }))
      .when((user) => updateProfile(user, { changes: { fullName: 'John', venueName: 'B', venueLocation: 'Quito' } }))
      .then([{ type: 'UserProfileUpdated', data: { changes: { venueName: 'B', venueLocation: 'Quito' } } }]);
  });

  it('emits nothing when nothing changes', () => {
    spec.given(registered({ venueName: 'A' })).when((user) => updateProfile(user, { changes: { venueName: ' A ', bio: null } })).then([]);
  });

  it('treats null and blank strings as clearing a field', () => {
    const user = spec.given(registered({ venueName: 'A', bio: 'b' }))
      .when((u) => updateProfile(u, { changes: { venueName: null, bio: '   ' } }))
      .then([{ type: 'UserProfileUpdated', data: { changes: { venueName: null, bio: null } } }]);
    expect(user.profileInfo).toEqual({});
    expect(user.version).toBe(2);
  });

  it('refuses a stale expected version, naming the current one', () => {
    const given = spec.given(registered(), { type: 'UserProfileUpdated', data: { changes: { fullName: 'x' } } });
    given.when((user) => updateProfile(user, { changes: { fullName: 'y' }, expectedVersion: 1 }))
      .thenThrows(VersionConflictError, (err) => expect(err.currentVersion).toBe(2));
    given.when((user) => updateProfile(user, { changes: { fullName: 'y' }, expectedVersion: 2 }))
      .then([{ type: 'UserProfileUpdated', data: { changes: { fullName: 'y' } } }]);
  });
});

describe('changeRole', () => {
  it('emits the change once, revoking the tokens that claim the old role', () => {
    const given = spec.given(registered({}, 'user'));
    given.when((user) => changeRole(user, 'venue')).then([
      { type: 'UserRoleChanged', data: { from: 'user', to: 'venue' } },
      { type: 'UserTokensRevoked', data: { tokenVersion: 1, reason: 'role_changed' } },
    ]);
    given.when((user) => changeRole(user, 'user')).then([]);
  });

  it('refuses a stale expected version', () => {
    spec.given(registered({}, 'user')).when((user) => changeRole(user, 'venue', 2)).thenThrows(VersionConflictError);
  });
});

describe('token revocation', () => {
  const revoked = (tokenVersion: number, reason: 'role_changed' | 'logged_out' | 'password_changed') => ({ type: 'UserTokensRevoked' as const, data: { tokenVersion, reason } });
  const roleChanged = [registered({}, 'admin'), { type: 'UserRoleChanged' as const, data: { from: 'admin' as const, to: 'user' as const } }, revoked(1, 'role_changed')];

  it('raises the token version by one per revocation, whatever revoked it', () => {
    expect(spec.given(...roleChanged).state).toMatchObject({ role: 'user', tokenVersion: 1, version: 3 });
    const loggedOut = spec.given(...roleChanged).when(logOut).then([revoked(2, 'logged_out')]);
    expect(loggedOut).toMatchObject({ tokenVersion: 2, version: 4 });
    spec.given(...roleChanged, revoked(2, 'logged_out')).when(changePassword).then([revoked(3, 'password_changed')]);
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
