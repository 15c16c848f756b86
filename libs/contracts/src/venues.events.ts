import type { EventEnvelope } from './envelope';

/** What the venues service publishes when a venue or gallera record changes. */
export interface BusinessContactInfo {
  email?: string;
  website?: string;
}
export interface BusinessChanges {
  /** Only on creation. */
  ownerId?: string;
  name?: string;
  location?: string;
  description?: string;
  contactInfo?: BusinessContactInfo;
  specialties?: string | null;
  activeRoosters?: number | null;
}
export interface BusinessSyncedData {
  ownerId: string;
  /** True for the event that created the record (changes then hold every field). */
  created: boolean;
  changes: BusinessChanges;
}

export const VENUE_AGGREGATE = 'venue';
export const GALLERA_AGGREGATE = 'gallera';

export type VenueSynced = EventEnvelope<'VenueSynced', BusinessSyncedData>;
export type GalleraSynced = EventEnvelope<'GalleraSynced', BusinessSyncedData>;
export type VenuesEvent = VenueSynced | GalleraSynced;
