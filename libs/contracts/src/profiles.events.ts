import type { EventEnvelope } from './envelope';

export const USER_ROLES = ['user', 'venue', 'gallera', 'pet_owner', 'veterinarian', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** The profile fields Ripple knows. Every one is optional; `null` in a change clears it. */
export interface ProfileInfo {
  fullName?: string;
  phone?: string;
  address?: string;
  bio?: string;
  businessName?: string;
  venueName?: string;
  venueLocation?: string;
  venueDescription?: string;
  venueEmail?: string;
  venueWebsite?: string;
  galleraName?: string;
  galleraLocation?: string;
  galleraDescription?: string;
  galleraEmail?: string;
  galleraWebsite?: string;
  galleraSpecialties?: string;
  galleraActiveRoosters?: number;
}
export type ProfileField = keyof ProfileInfo;
export type ProfileChanges = { [K in ProfileField]?: ProfileInfo[K] | null };

export const PROFILE_FIELDS: readonly ProfileField[] = [
  'fullName', 'phone', 'address', 'bio', 'businessName',
  'venueName', 'venueLocation', 'venueDescription', 'venueEmail', 'venueWebsite',
  'galleraName', 'galleraLocation', 'galleraDescription', 'galleraEmail', 'galleraWebsite',
  'galleraSpecialties', 'galleraActiveRoosters',
];

/**
 * Who sees what of a profile: the user and an admin see everything; anyone else
 * sees it without these fields (and without the account's email), except that a
 * related party (a person of a common pet) sees the phone, which is what the
 * relation needs: the pets service copies the same phone onto the pet.
 */
export const PRIVATE_PROFILE_FIELDS: readonly ProfileField[] = ['phone', 'address'];
export const CONTACT_PROFILE_FIELDS: readonly ProfileField[] = ['phone'];

/** How much of a user's private data a viewer may see. */
export type ProfileVisibility = 'full' | 'contact' | 'public';

/** The profile fields a viewer with this visibility sees. */
export function visibleProfile(profile: ProfileInfo, visibility: ProfileVisibility): ProfileInfo {
  if (visibility === 'full') return profile;
  const hidden = PRIVATE_PROFILE_FIELDS.filter((f) => visibility === 'public' || !CONTACT_PROFILE_FIELDS.includes(f));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(profile)) if (!hidden.includes(k as ProfileField)) out[k] = v;
  return out as ProfileInfo;
}

export const USER_AGGREGATE = 'user';

export interface UserRegisteredData {
  username: string;
  email: string;
  role: UserRole;
  profileInfo: ProfileInfo;
}
export interface UserProfileUpdatedData {
  /** Only the fields whose value changed; `null` means the field was cleared. */
  changes: ProfileChanges;
}
export interface UserRoleChangedData {
  from: UserRole;
  to: UserRole;
}

/** Why a user's tokens stopped being valid. */
export const TOKEN_REVOCATION_REASONS = ['role_changed', 'password_changed', 'logged_out'] as const;
export type TokenRevocationReason = (typeof TOKEN_REVOCATION_REASONS)[number];

export interface UserTokensRevokedData {
  /** Tokens carrying a lower `tv` claim are refused from now on; logins issue this version. */
  tokenVersion: number;
  reason: TokenRevocationReason;
}

export type UserRegistered = EventEnvelope<'UserRegistered', UserRegisteredData>;
export type UserProfileUpdated = EventEnvelope<'UserProfileUpdated', UserProfileUpdatedData>;
export type UserRoleChanged = EventEnvelope<'UserRoleChanged', UserRoleChangedData>;
export type UserTokensRevoked = EventEnvelope<'UserTokensRevoked', UserTokensRevokedData>;
export type ProfilesEvent = UserRegistered | UserProfileUpdated | UserRoleChanged | UserTokensRevoked;
export type ProfilesEventType = ProfilesEvent['type'];

/** How every reader applies a UserProfileUpdated: the listed fields change, `null` removes one. */
export function applyProfileChanges(profile: ProfileInfo, changes: ProfileChanges): ProfileInfo {
  const next: Record<string, unknown> = { ...profile };
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined) delete next[k];
    else next[k] = v;
  }
  return next as ProfileInfo;
}
