import type { EventContract } from './contract';
import type { EventEnvelope } from './envelope';
import { Closed, Nullable, Type, type Static } from './schema';

/** What the venues service publishes when a venue or gallera record changes. */
const BusinessContactInfo = Type.Object({ email: Type.Optional(Type.String()), website: Type.Optional(Type.String()) }, { additionalProperties: Type.String() });
const BusinessChanges = Closed({
  ownerId: Type.Optional(Type.String({ description: 'Only on creation.' })),
  name: Type.Optional(Type.String()),
  location: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  contactInfo: Type.Optional(BusinessContactInfo),
  specialties: Type.Optional(Nullable(Type.String())),
  activeRoosters: Type.Optional(Nullable(Type.Integer())),
});
const BusinessSyncedData = Type.Object({
  ownerId: Type.String(),
  created: Type.Boolean({ description: 'True for the event that created the record (changes then hold every field).' }),
  changes: BusinessChanges,
});
export type BusinessContactInfo = Static<typeof BusinessContactInfo>;
export type BusinessChanges = Static<typeof BusinessChanges>;
export type BusinessSyncedData = Static<typeof BusinessSyncedData>;

export const VENUE_AGGREGATE = 'venue';
export const GALLERA_AGGREGATE = 'gallera';

export type VenueSynced = EventEnvelope<'VenueSynced', BusinessSyncedData>;
export type GalleraSynced = EventEnvelope<'GalleraSynced', BusinessSyncedData>;
export type VenuesEvent = VenueSynced | GalleraSynced;

/** A venue or gallera concerns its owner. */
const theOwner = { from: 'data', users: ['ownerId'] } as const;

export const VENUES_CONTRACTS: Record<VenuesEvent['type'], EventContract> = {
  VenueSynced: { schema: BusinessSyncedData, audience: theOwner, change: 'updated' },
  GalleraSynced: { schema: BusinessSyncedData, audience: theOwner, change: 'updated' },
};
