import {
  applyProfileChanges,
  PROFILE_FIELDS,
  type ProfileChanges,
  type ProfileInfo,
  type ProfilesEvent,
  type UserProfileUpdated,
  type UserRegistered,
  type UserRole,
  type UserRoleChanged,
  type UserTokensRevoked,
  type TokenRevocationReason,
} from '@ripple/contracts';
import { VersionConflictError } from '@ripple/errors';
import type { NewEvent } from '@ripple/event-store';

export interface UserState {
  id: string;
  username: string;
  email: string;
  role: UserRole;
  profileInfo: ProfileInfo;
  /** Number of events in the user's stream. */
  version: number;
  /** Tokens issued below this version are revoked. */
  tokenVersion: number;
  /** When the user's first and last events occurred (ISO). */
  createdAt: string;
  updatedAt: string;
}

/**
 * Applies one of the user's own events to its state. The `users` row is exactly
 * this fold of the user's events: the command path writes the row it gives for
 * the very events it appends, and a rebuild (`users.read-model.ts`) folds the
 * event store with it again.
 */
export function evolve(state: UserState | undefined, event: ProfilesEvent): UserState {
  const version = event.aggregateVersion;
  const updatedAt = event.occurredAt;
  switch (event.type) {
    case 'UserRegistered': {
      const { username, email, role, profileInfo } = event.data;
      return { id: event.aggregateId, username, email, role, profileInfo: { ...profileInfo }, version, tokenVersion: 0, createdAt: updatedAt, updatedAt };
    }
    case 'UserProfileUpdated':
      return { ...state!, profileInfo: applyProfileChanges(state!.profileInfo, event.data.changes), version, updatedAt };
    case 'UserRoleChanged':
      return { ...state!, role: event.data.to, version, updatedAt };
    case 'UserTokensRevoked':
      return { ...state!, tokenVersion: event.data.tokenVersion, version, updatedAt };
    default: {
      const never: never = event;
      throw new Error(`unknown event ${(never as { type: string }).type}`);
    }
  }
}

/** The document's display-name rules (profile page variant). */
export function displayName(user: Pick<UserState, 'role' | 'username' | 'profileInfo'>): string {
  const p = user.profileInfo;
  switch (user.role) {
    case 'venue':
      return p.venueName || p.businessName || p.fullName || user.username;
    case 'gallera':
      return p.galleraName || p.businessName || p.fullName || user.username;
    default:
      return p.fullName || user.username;
  }
}

export interface RegisterUser {
  userId: string;
  username: string;
  email: string;
  role: UserRole;
  profileInfo: ProfileInfo;
}

export function registerUser(cmd: RegisterUser): NewEvent<UserRegistered>[] {
  return [{ type: 'UserRegistered', data: { username: cmd.username, email: cmd.email, role: cmd.role, profileInfo: withoutEmpty(cmd.profileInfo) } }];
}

export interface UpdateProfile {
  changes: ProfileChanges;
  expectedVersion?: number;
}

/**
 * Emits only the fields whose value actually changes; an update that changes
 * nothing emits nothing. A stale expectedVersion is refused.
 */
export function updateProfile(state: UserState, cmd: UpdateProfile): NewEvent<UserProfileUpdated>[] {
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== state.version) {
    throw userVersionConflict(state, cmd.expectedVersion);
  }
  const changes: Record<string, unknown> = {};
  for (const field of PROFILE_FIELDS) {
    if (!(field in cmd.changes)) continue;
    const next = normalise(cmd.changes[field]);
    const current = state.profileInfo[field] ?? null;
    if (next !== current) changes[field] = next;
  }
  return Object.keys(changes).length ? [{ type: 'UserProfileUpdated', data: { changes: changes as ProfileChanges } }] : [];
}

/** A new role revokes the tokens that still claim the old one. */
export function changeRole(state: UserState, to: UserRole, expectedVersion?: number): NewEvent<UserRoleChanged | UserTokensRevoked>[] {
  if (expectedVersion !== undefined && expectedVersion !== state.version) {
    throw userVersionConflict(state, expectedVersion);
  }
  return state.role === to ? [] : [{ type: 'UserRoleChanged', data: { from: state.role, to } }, revokeTokens(state, 'role_changed')];
}

/** Logging out ends every session of the user, on every device. */
export const logOut = (state: UserState): NewEvent<UserTokensRevoked>[] => [revokeTokens(state, 'logged_out')];

/** The new password itself never enters an event: the caller stores its hash with this event. */
export const changePassword = (state: UserState): NewEvent<UserTokensRevoked>[] => [revokeTokens(state, 'password_changed')];

const revokeTokens = (state: UserState, reason: TokenRevocationReason): NewEvent<UserTokensRevoked> =>
  ({ type: 'UserTokensRevoked', data: { tokenVersion: state.tokenVersion + 1, reason } });

const userVersionConflict = (state: UserState, expectedVersion: number) =>
  new VersionConflictError(`user ${state.id}`, { userId: state.id }, expectedVersion, state.version);

/** Strings are trimmed; an empty string clears the field, as null does. */
function normalise<T>(value: T | null | undefined): T | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    const t = value.trim();
    return (t === '' ? null : t) as T | null;
  }
  return value;
}

function withoutEmpty(profile: ProfileInfo): ProfileInfo {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(profile)) {
    const n = normalise(v);
    if (n !== null) out[k] = n;
  }
  return out as ProfileInfo;
}
