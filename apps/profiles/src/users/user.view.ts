import { visibleProfile, type ProfileVisibility } from '@ripple/contracts';
import { displayName } from './user';
import type { UserState } from './user';

/** The user and admins see all of a profile; anyone else sees what their relation to the user allows. */
export const seesAll = (userId: string, viewer: { sub: string; role: string }) => viewer.sub === userId || viewer.role === 'admin';

/** What the API shows of a user to a viewer with this visibility (the account's email only in full). */
export function userView(user: UserState, visibility: ProfileVisibility = 'full') {
  return {
    id: user.id,
    username: user.username,
    ...(visibility === 'full' ? { email: user.email } : {}),
    role: user.role,
    profileInfo: visibleProfile(user.profileInfo, visibility),
    version: user.version,
    displayName: displayName(user),
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}
