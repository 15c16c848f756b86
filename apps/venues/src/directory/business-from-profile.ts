import { applyProfileChanges, type BusinessChanges, type BusinessSyncedData, type ProfileField, type ProfileInfo, type ProfilesEvent, type UserRole } from '@ripple/contracts';

/** The venues service's own copy of what it needs from a user's profile. */
export interface OwnerProfile {
  userId: string;
  username: string;
  role: UserRole;
  profileInfo: ProfileInfo;
}

export interface ContactInfo {
  email?: string;
  website?: string;
}

interface BusinessBase {
  id: string;
  ownerId: string;
  name: string;
  location: string;
  description: string;
  contactInfo: ContactInfo;
  createdAt: string;
  updatedAt: string;
  /** The event that last changed this record. */
  lastEventId: string;
  lastEventType: string;
  version: number;
}
export type Venue = BusinessBase;
export interface Gallera extends BusinessBase {
  specialties: string | null;
  activeRoosters: number | null;
}

export interface DirectoryEntry {
  profile?: OwnerProfile;
  venue?: Venue;
  gallera?: Gallera;
}

/** The document's field-mapping tables, per business kind. */
const MAPPINGS = {
  venue: {
    role: 'venue',
    name: 'venueName', location: 'venueLocation', description: 'venueDescription', email: 'venueEmail', website: 'venueWebsite',
  },
  gallera: {
    role: 'gallera',
    name: 'galleraName', location: 'galleraLocation', description: 'galleraDescription', email: 'galleraEmail', website: 'galleraWebsite',
  },
} as const;
type Kind = keyof typeof MAPPINGS;

const GALLERA_ONLY: ProfileField[] = ['galleraSpecialties', 'galleraActiveRoosters'];

/** Profile fields that feed a kind of business; a change touching none of them is ignored. */
const SOURCE_FIELDS: Readonly<Record<Kind, readonly ProfileField[]>> = {
  venue: [MAPPINGS.venue.name, MAPPINGS.venue.location, MAPPINGS.venue.description, MAPPINGS.venue.email, MAPPINGS.venue.website, 'businessName'],
  gallera: [MAPPINGS.gallera.name, MAPPINGS.gallera.location, MAPPINGS.gallera.description, MAPPINGS.gallera.email, MAPPINGS.gallera.website, 'businessName', ...GALLERA_ONLY],
};

/** Applies one profiles event to a user's directory entry: the profile copy, then the venue and gallera derived from it. */
export function evolveDirectory(entry: DirectoryEntry, event: ProfilesEvent): DirectoryEntry {
  const profile = evolveProfile(entry.profile, event);
  return {
    profile,
    venue: syncBusiness('venue', profile, entry.venue, event),
    gallera: syncBusiness('gallera', profile, entry.gallera, event) as Gallera | undefined,
  };
}

function evolveProfile(profile: OwnerProfile | undefined, event: ProfilesEvent): OwnerProfile {
  switch (event.type) {
    case 'UserRegistered':
      return { userId: event.aggregateId, username: event.data.username, role: event.data.role, profileInfo: { ...event.data.profileInfo } };
    // Built field by field rather than spread: this runs for every event a replay folds.
    case 'UserProfileUpdated': {
      const { userId, username, role, profileInfo } = requireProfile(profile, event);
      return { userId, username, role, profileInfo: applyProfileChanges(profileInfo, event.data.changes) };
    }
    case 'UserRoleChanged': {
      const { userId, username, profileInfo } = requireProfile(profile, event);
      return { userId, username, role: event.data.to, profileInfo };
    }
    case 'UserTokensRevoked':
      return requireProfile(profile, event);
    default: {
      const never: never = event;
      throw new Error(`unhandled event ${(never as { type: string }).type}`);
    }
  }
}

/** False when the event cannot change which business a user has, nor its fields: a profile change touching none of the kind's source fields, a token revocation. */
function mayChange(kind: Kind, event: ProfilesEvent): boolean {
  if (event.type === 'UserTokensRevoked') return false;
  if (event.type !== 'UserProfileUpdated') return true; // registration, role change
  const changes = event.data.changes;
  return SOURCE_FIELDS[kind].some((f) => Object.prototype.hasOwnProperty.call(changes, f));
}

/**
 * The kind's business after `event`: created once both primary fields are known, then
 * following the profile field by field (existing values are kept wherever the profile has no
 * value). Returns `current` itself when nothing but bookkeeping would change.
 */
function syncBusiness(kind: Kind, profile: OwnerProfile, current: Venue | Gallera | undefined, event: ProfilesEvent): Venue | Gallera | undefined {
  const m = MAPPINGS[kind];
  if (profile.role !== m.role || !mayChange(kind, event)) return current;
  const p = profile.profileInfo;
  const name = p[m.name] ?? p.businessName;
  const location = p[m.location];
  const gallera = kind === 'gallera';

  if (!current) {
    if (!name || !location) return undefined;
    return {
      id: event.id,
      ownerId: profile.userId,
      name,
      location,
      description: p[m.description] ?? '',
      contactInfo: withContact({}, p[m.email], p[m.website]),
      createdAt: event.occurredAt,
      version: 1,
      updatedAt: event.occurredAt, lastEventId: event.id, lastEventType: event.type,
      ...(gallera ? { specialties: p.galleraSpecialties ?? null, activeRoosters: p.galleraActiveRoosters ?? null } : {}),
    };
  }
  const nextName = name ?? current.name;
  const nextLocation = location ?? current.location;
  const nextDescription = p[m.description] ?? current.description;
  const nextContact = withContact(current.contactInfo, p[m.email], p[m.website]);
  const specialties = gallera ? p.galleraSpecialties ?? (current as Gallera).specialties : null;
  const activeRoosters = gallera ? p.galleraActiveRoosters ?? (current as Gallera).activeRoosters : null;
  // Equal in everything but the bookkeeping of who changed it last (id, owner and creation never change here).
  const same = nextName === current.name && nextLocation === current.location && nextDescription === current.description
    && sameJson(nextContact, current.contactInfo)
    && (!gallera || (specialties === (current as Gallera).specialties && activeRoosters === (current as Gallera).activeRoosters));
  if (same) return current;
  // Built field by field rather than spread (this runs for every event a replay folds).
  const next: Venue = {
    id: current.id, ownerId: current.ownerId, name: nextName, location: nextLocation, description: nextDescription, contactInfo: nextContact,
    createdAt: current.createdAt, updatedAt: event.occurredAt, lastEventId: event.id, lastEventType: event.type, version: current.version + 1,
  };
  return gallera ? { ...next, specialties, activeRoosters } : next;
}

/** `contact` with the profile's email and website over it, where it has them (`contact` itself when it has neither). */
function withContact(contact: ContactInfo, email: string | null | undefined, website: string | null | undefined): ContactInfo {
  const hasEmail = email !== undefined && email !== null;
  const hasWebsite = website !== undefined && website !== null;
  if (!hasEmail && !hasWebsite) return contact;
  return { ...contact, ...(hasEmail ? { email } : {}), ...(hasWebsite ? { website } : {}) };
}

/** Deep equality of JSON-like values, key order ignored (a key holding undefined counts as absent, as in JSON). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function requireProfile(profile: OwnerProfile | undefined, event: ProfilesEvent): OwnerProfile {
  // Per-aggregate order guarantees registration comes first; anything else is a broken stream.
  if (!profile) throw new Error(`${event.type} ${event.id} for unknown user ${event.aggregateId}`);
  return profile;
}

const PUBLISHED_FIELDS = ['name', 'location', 'description', 'contactInfo', 'specialties', 'activeRoosters'] as const;

/** The payload of the VenueSynced / GalleraSynced event for one change of a record, if it changed. */
export function businessSynced(before: Venue | Gallera | undefined, after: Venue | Gallera | undefined): BusinessSyncedData | undefined {
  if (!after || after === before) return undefined;
  const changes: Record<string, unknown> = {};
  for (const f of PUBLISHED_FIELDS) {
    if (!(f in after)) continue;
    const next = (after as unknown as Record<string, unknown>)[f];
    const prev = before ? (before as unknown as Record<string, unknown>)[f] : undefined;
    if (!sameJson(next, prev)) changes[f] = next;
  }
  // A creation carries every field, the owner included, like any record's first event.
  if (!before) changes.ownerId = after.ownerId;
  return { ownerId: after.ownerId, created: !before, changes: changes as BusinessChanges };
}
