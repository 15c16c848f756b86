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

export type UserRegistered = EventEnvelope<'UserRegistered', UserRegisteredData>;
export type UserProfileUpdated = EventEnvelope<'UserProfileUpdated', UserProfileUpdatedData>;
export type UserRoleChanged = EventEnvelope<'UserRoleChanged', UserRoleChangedData>;
export type ProfilesEvent = UserRegistered | UserProfileUpdated | UserRoleChanged;
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
