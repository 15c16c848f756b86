import type { EventEnvelope } from './envelope';

/**
 * The pets context: five event-sourced records (pet, veterinarian, health record,
 * lost-pet report, user event). Each has three events: created, `…Updated` (a
 * person's edit) and `…Synced` (a copy re-derived by the pets service from
 * another record or a profile). Derived changes have their own type so a reactor
 * never mistakes its own output for a new edit: that is what keeps the
 * bidirectional weight sync loop-free.
 */
export type FieldValue = string | number | null;
export type FieldKind = 'string' | 'string?' | 'number?' | 'uuid' | 'uuid?';
export type FieldSchema = Readonly<Record<string, FieldKind>>;

export const PET_FIELDS = {
  ownerId: 'uuid', name: 'string', species: 'string', breed: 'string?', weightKg: 'number?',
  emergencyContactUserId: 'uuid?', emergencyContactName: 'string?', emergencyContactPhone: 'string?',
} as const satisfies FieldSchema;
export const VETERINARIAN_FIELDS = {
  name: 'string', clinicName: 'string', phone: 'string?', email: 'string?', userId: 'uuid?', createdBy: 'uuid',
} as const satisfies FieldSchema;
export const HEALTH_RECORD_FIELDS = {
  petId: 'uuid', vetId: 'uuid', clinicName: 'string', vetPhone: 'string?', weightKg: 'number?', visitDate: 'string', notes: 'string',
} as const satisfies FieldSchema;
export const LOST_PET_FIELDS = {
  petId: 'uuid', reporterId: 'uuid', contactPhone: 'string?', lastSeenLocation: 'string', status: 'string',
} as const satisfies FieldSchema;
export const USER_EVENT_FIELDS = {
  userId: 'uuid', vetId: 'uuid', petId: 'uuid?', title: 'string', startsAt: 'string', veterinarianName: 'string', vetPhone: 'string?',
} as const satisfies FieldSchema;

type ValueOf<K extends FieldKind> = K extends 'string' | 'uuid' ? string : K extends 'number?' ? number | null : string | null;
export type FieldsOf<S extends FieldSchema> = { -readonly [N in keyof S]: ValueOf<S[N]> };
export type PetFields = FieldsOf<typeof PET_FIELDS>;
export type VeterinarianFields = FieldsOf<typeof VETERINARIAN_FIELDS>;
export type HealthRecordFields = FieldsOf<typeof HEALTH_RECORD_FIELDS>;
export type LostPetFields = FieldsOf<typeof LOST_PET_FIELDS>;
export type UserEventFields = FieldsOf<typeof USER_EVENT_FIELDS>;

export interface RecordUpdatedData<F> {
  /** Only the fields whose value changed, and what they were before. */
  changes: Partial<F>;
  previous: Partial<F>;
  /** True when the edit carried no If-Match: last writer won, `previous` holds what it overwrote. */
  unconditional: boolean;
}

export const SYNC_RULES = ['contact-from-profile', 'weight-from-pet', 'weight-from-health-record', 'veterinarian-details'] as const;
export type SyncRule = (typeof SYNC_RULES)[number];

export interface RecordSyncedData<F> {
  rule: SyncRule;
  changes: Partial<F>;
  previous: Partial<F>;
  /** The user this propagation concerns (owner, reporter, linked vet user, ...). */
  userId: string | null;
  /** The person's edit whose value this copies (for weights: decides last-writer-wins). */
  sourceEventId: string | null;
  /** Re-derived by a force or batch sync rather than by a reactor. */
  forced: boolean;
}

export const PETS_RECORD_TYPES = {
  pet: { created: 'PetRegistered', updated: 'PetUpdated', synced: 'PetSynced', fields: PET_FIELDS },
  veterinarian: { created: 'VeterinarianRegistered', updated: 'VeterinarianUpdated', synced: 'VeterinarianSynced', fields: VETERINARIAN_FIELDS },
  'health-record': { created: 'HealthRecordRecorded', updated: 'HealthRecordUpdated', synced: 'HealthRecordSynced', fields: HEALTH_RECORD_FIELDS },
  'lost-pet': { created: 'LostPetReported', updated: 'LostPetUpdated', synced: 'LostPetSynced', fields: LOST_PET_FIELDS },
  'user-event': { created: 'UserEventScheduled', updated: 'UserEventUpdated', synced: 'UserEventSynced', fields: USER_EVENT_FIELDS },
} as const;
export type PetsAggregate = keyof typeof PETS_RECORD_TYPES;

type Triple<A extends string, B extends string, C extends string, F> =
  | EventEnvelope<A, F>
  | EventEnvelope<B, RecordUpdatedData<F>>
  | EventEnvelope<C, RecordSyncedData<F>>;
export type PetEvent = Triple<'PetRegistered', 'PetUpdated', 'PetSynced', PetFields>;
export type VeterinarianEvent = Triple<'VeterinarianRegistered', 'VeterinarianUpdated', 'VeterinarianSynced', VeterinarianFields>;
export type HealthRecordEvent = Triple<'HealthRecordRecorded', 'HealthRecordUpdated', 'HealthRecordSynced', HealthRecordFields>;
export type LostPetEvent = Triple<'LostPetReported', 'LostPetUpdated', 'LostPetSynced', LostPetFields>;
export type UserEventEvent = Triple<'UserEventScheduled', 'UserEventUpdated', 'UserEventSynced', UserEventFields>;
export type PetsEvent = PetEvent | VeterinarianEvent | HealthRecordEvent | LostPetEvent | UserEventEvent;
export type PetsEventType = PetsEvent['type'];
