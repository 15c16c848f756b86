import type { EventEnvelope } from './envelope';
import type { EventContract } from './contract';
import { Closed, nullableFields, OneOf, Type, type Static } from './schema';

export const USER_ROLES = ['user', 'venue', 'gallera', 'pet_owner', 'veterinarian', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];
const Role = OneOf(USER_ROLES);

const PROFILE_VALUES = {
  fullName: Type.String(), phone: Type.String(), address: Type.String(), bio: Type.String(), businessName: Type.String(),
  venueName: Type.String(), venueLocation: Type.String(), venueDescription: Type.String(), venueEmail: Type.String(), venueWebsite: Type.String(),
  galleraName: Type.String(), galleraLocation: Type.String(), galleraDescription: Type.String(), galleraEmail: Type.String(), galleraWebsite: Type.String(),
  galleraSpecialties: Type.String(), galleraActiveRoosters: Type.Integer(),
};
const ProfileInfoSchema = Type.Partial(Closed(PROFILE_VALUES, 'The profile fields Ripple knows. Every one is optional.'));
const ProfileChangesSchema = Type.Partial(Closed(nullableFields(PROFILE_VALUES), 'Only the fields whose value changed; `null` means the field was cleared.'));

/** The profile fields Ripple knows. Every one is optional; `null` in a change clears it. */
export type ProfileInfo = Static<typeof ProfileInfoSchema>;
export type ProfileField = keyof ProfileInfo;
export type ProfileChanges = Static<typeof ProfileChangesSchema>;

export const PROFILE_FIELDS = Object.keys(PROFILE_VALUES) as readonly ProfileField[];

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

/** Why a user's tokens stopped being valid. */
export const TOKEN_REVOCATION_REASONS = ['role_changed', 'password_changed', 'logged_out'] as const;
export type TokenRevocationReason = (typeof TOKEN_REVOCATION_REASONS)[number];

const UserRegisteredData = Type.Object({ username: Type.String(), email: Type.String(), role: Role, profileInfo: ProfileInfoSchema });
const UserProfileUpdatedData = Type.Object({ changes: ProfileChangesSchema });
const UserRoleChangedData = Type.Object({ from: Role, to: Role });
const UserTokensRevokedData = Type.Object({
  tokenVersion: Type.Integer({ minimum: 1, description: 'Tokens carrying a lower `tv` claim are refused from now on; logins issue this version.' }),
  reason: OneOf(TOKEN_REVOCATION_REASONS),
});
export type UserRegisteredData = Static<typeof UserRegisteredData>;
export type UserProfileUpdatedData = Static<typeof UserProfileUpdatedData>;
export type UserRoleChangedData = Static<typeof UserRoleChangedData>;
export type UserTokensRevokedData = Static<typeof UserTokensRevokedData>;

export type UserRegistered = EventEnvelope<'UserRegistered', UserRegisteredData>;
export type UserProfileUpdated = EventEnvelope<'UserProfileUpdated', UserProfileUpdatedData>;
export type UserRoleChanged = EventEnvelope<'UserRoleChanged', UserRoleChangedData>;
export type UserTokensRevoked = EventEnvelope<'UserTokensRevoked', UserTokensRevokedData>;
export type ProfilesEvent = UserRegistered | UserProfileUpdated | UserRoleChanged | UserTokensRevoked;
export type ProfilesEventType = ProfilesEvent['type'];

/** A user's events concern that user. */
const theUser = { from: 'data', self: true } as const;

export const PROFILES_CONTRACTS: Record<ProfilesEventType, EventContract> = {
  UserRegistered: { schema: UserRegisteredData, audience: theUser, change: 'created' },
  UserProfileUpdated: { schema: UserProfileUpdatedData, audience: theUser, change: 'updated' },
  UserRoleChanged: { schema: UserRoleChangedData, audience: theUser, change: 'updated' },
  UserTokensRevoked: { schema: UserTokensRevokedData, audience: theUser, change: 'updated' },
};

/** How every reader applies a UserProfileUpdated: the listed fields change, `null` removes one. */
export function applyProfileChanges(profile: ProfileInfo, changes: ProfileChanges): ProfileInfo {
  const next: Record<string, unknown> = { ...profile };
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined) delete next[k];
    else next[k] = v;
  }
  return next as ProfileInfo;
}
