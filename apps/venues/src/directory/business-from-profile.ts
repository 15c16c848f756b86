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
export function sourceFields(kind: Kind): ProfileField[] {
  const m = MAPPINGS[kind];
  return [m.name, m.location, m.description, m.email, m.website, 'businessName', ...(kind === 'gallera' ? GALLERA_ONLY : [])];
}

/** Applies one profiles event to a user's directory entry: the profile copy, then the venue and gallera derived from it. */
export function evolveDirectory(entry: DirectoryEntry, event: ProfilesEvent): DirectoryEntry {
  const profile = evolveProfile(entry.profile, event);
  const touched = touchedFields(event);
  return {
    profile,
    venue: syncBusiness('venue', profile, entry.venue, touched, event),
    gallera: syncBusiness('gallera', profile, entry.gallera, touched, event) as Gallera | undefined,
  };
}

function evolveProfile(profile: OwnerProfile | undefined, event: ProfilesEvent): OwnerProfile {
  switch (event.type) {
    case 'UserRegistered':
      return { userId: event.aggregateId, username: event.data.username, role: event.data.role, profileInfo: { ...event.data.profileInfo } };
    case 'UserProfileUpdated':
      return { ...requireProfile(profile, event), profileInfo: applyProfileChanges(requireProfile(profile, event).profileInfo, event.data.changes) };
    case 'UserRoleChanged':
      return { ...requireProfile(profile, event), role: event.data.to };
    case 'UserTokensRevoked':
      return requireProfile(profile, event);
    default: {
      const never: never = event;
      throw new Error(`unhandled event ${(never as { type: string }).type}`);
    }
  }
}

/** `'all'` when the event can change which business a user should have (registration, role change). */
function touchedFields(event: ProfilesEvent): Set<string> | 'all' {
  if (event.type === 'UserTokensRevoked') return new Set();
  return event.type === 'UserProfileUpdated' ? new Set(Object.keys(event.data.changes)) : 'all';
}

function syncBusiness(kind: Kind, profile: OwnerProfile, current: Venue | Gallera | undefined, touched: Set<string> | 'all', event: ProfilesEvent): Venue | Gallera | undefined {
  const m = MAPPINGS[kind];
  if (profile.role !== m.role) return current;
  if (touched !== 'all' && !sourceFields(kind).some((f) => touched.has(f))) return current;
  const p = profile.profileInfo;
  const name = p[m.name] ?? p.businessName;
  const location = p[m.location];
  const extra = kind === 'gallera' ? { specialties: p.galleraSpecialties, activeRoosters: p.galleraActiveRoosters } : {};
  const stamp = { updatedAt: event.occurredAt, lastEventId: event.id, lastEventType: event.type };

  if (!current) {
    // Created only once both primary fields are known.
    if (!name || !location) return undefined;
    return {
      id: event.id,
      ownerId: profile.userId,
      name,
      location,
      description: p[m.description] ?? '',
      contactInfo: compact({ email: p[m.email], website: p[m.website] }),
      createdAt: event.occurredAt,
      version: 1,
      ...stamp,
      ...(kind === 'gallera' ? { specialties: extra.specialties ?? null, activeRoosters: extra.activeRoosters ?? null } : {}),
    };
  }
  // Existing values are kept wherever the profile has no value.
  const next = {
    ...current,
    name: name ?? current.name,
    location: location ?? current.location,
    description: p[m.description] ?? current.description,
    contactInfo: { ...current.contactInfo, ...compact({ email: p[m.email], website: p[m.website] }) },
    ...(kind === 'gallera'
      ? { specialties: extra.specialties ?? (current as Gallera).specialties, activeRoosters: extra.activeRoosters ?? (current as Gallera).activeRoosters }
      : {}),
  };
  if (sameBusiness(next, current)) return current;
  return { ...next, ...stamp, version: current.version + 1 };
}

/** Equal in everything but the bookkeeping of who changed it last. */
function sameBusiness(a: Venue | Gallera, b: Venue | Gallera): boolean {
  const strip = ({ updatedAt: _u, lastEventId: _l, lastEventType: _t, version: _v, ...rest }: Venue | Gallera) => rest;
  return sameJson(strip(a), strip(b));
}

/** Deep equality of JSON-like values, key order ignored (a key holding undefined counts as absent, as in JSON). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;
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
