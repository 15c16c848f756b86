import { displayName } from './user';
import type { UserRecord } from './user.repository';

/** What the API shows of a user; email only to the user themself and admins. */
export function userView(user: UserRecord, viewer?: { sub: string; role: string }) {
  const canSeeEmail = viewer && (viewer.sub === user.id || viewer.role === 'admin');
  return {
    id: user.id,
    username: user.username,
    ...(canSeeEmail ? { email: user.email } : {}),
    role: user.role,
    profileInfo: user.profileInfo,
    version: user.version,
    displayName: displayName(user),
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}
