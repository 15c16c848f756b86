import type { Audience } from './audience';
import type { EventContract } from './contract';
import type { EventEnvelope } from './envelope';
import { Closed, Nullable, OneOf, Type, Uuid, type Static, type TObject, type TProperties } from './schema';

/**
 * The pets context: five event-sourced records (pet, veterinarian, health record,
 * lost-pet report, user event). Each has three events: created, `…Updated` (a
 * person's edit) and `…Synced` (a copy re-derived by the pets service from
 * another record or a profile). Derived changes have their own type so a reactor
 * never mistakes its own output for a new edit: that is what keeps the
 * bidirectional weight sync loop-free.
 */
export type FieldValue = string | number | null;

const str = () => Type.String();
const optStr = () => Nullable(Type.String());
const PetFields = Closed({
  ownerId: Uuid(), name: str(), species: str(), breed: optStr(), weightKg: Nullable(Type.Number()),
  emergencyContactUserId: Nullable(Uuid()), emergencyContactName: optStr(), emergencyContactPhone: optStr(),
});
const VeterinarianFields = Closed({
  name: str(), clinicName: str(), phone: optStr(), email: optStr(), userId: Nullable(Uuid()), createdBy: Uuid(),
});
const HealthRecordFields = Closed({
  petId: Uuid(), vetId: Uuid(), clinicName: str(), vetPhone: optStr(), weightKg: Nullable(Type.Number()), visitDate: str(), notes: str(),
});
const LostPetFields = Closed({
  petId: Uuid(), reporterId: Uuid(), contactPhone: optStr(), lastSeenLocation: str(), status: str(),
});
const UserEventFields = Closed({
  userId: Uuid(), vetId: Uuid(), petId: Nullable(Uuid()), title: str(), startsAt: str(), veterinarianName: str(), vetPhone: optStr(),
});
export type PetFields = Static<typeof PetFields>;
export type VeterinarianFields = Static<typeof VeterinarianFields>;
export type HealthRecordFields = Static<typeof HealthRecordFields>;
export type LostPetFields = Static<typeof LostPetFields>;
export type UserEventFields = Static<typeof UserEventFields>;

export const SYNC_RULES = ['contact-from-profile', 'weight-from-pet', 'weight-from-health-record', 'veterinarian-details'] as const;
export type SyncRule = (typeof SYNC_RULES)[number];

const updatedData = <P extends TProperties>(fields: TObject<P>) =>
  Type.Object({
    changes: Type.Partial(fields, { description: 'Only the fields whose value changed.' }),
    previous: Type.Partial(fields, { description: 'What those fields were before.' }),
    unconditional: Type.Boolean({ description: 'True when the edit carried no If-Match: last writer won, `previous` holds what it overwrote.' }),
  });
const syncedData = <P extends TProperties>(fields: TObject<P>) =>
  Type.Object({
    rule: OneOf(SYNC_RULES),
    changes: Type.Partial(fields),
    previous: Type.Partial(fields),
    userId: Nullable(Uuid('The user this propagation concerns (owner, reporter, linked vet user, ...).')),
    sourceEventId: Nullable(Uuid("The person's edit whose value this copies (for weights: decides last-writer-wins).")),
    forced: Type.Boolean({ description: 'Re-derived by a force or batch sync rather than by a reactor.' }),
  });

/** A record's `…Updated` data over its fields F: the static type of its schema, with F's fields. */
export type RecordUpdatedData<F> = Omit<Static<ReturnType<typeof updatedData>>, 'changes' | 'previous'> & { changes: Partial<F>; previous: Partial<F> };
/** A record's `…Synced` data over its fields F: the static type of its schema, with F's fields. */
export type RecordSyncedData<F> = Omit<Static<ReturnType<typeof syncedData>>, 'changes' | 'previous'> & { changes: Partial<F>; previous: Partial<F> };

/** Who sees each record: the references its fields hold (an edit or a sync carries the ones it changes). */
type Refs = Omit<Audience, 'from'>;
const record = <C extends string, U extends string, S extends string, P extends TProperties>(
  created: C, updated: U, synced: S, fields: TObject<P>, refs: Refs,
) => ({ created, updated, synced, fields: fields.properties, schemas: { created: fields, updated: updatedData(fields), synced: syncedData(fields) }, refs });

export const PETS_RECORD_TYPES = {
  pet: record('PetRegistered', 'PetUpdated', 'PetSynced', PetFields, { users: ['ownerId', 'emergencyContactUserId'] }),
  veterinarian: record('VeterinarianRegistered', 'VeterinarianUpdated', 'VeterinarianSynced', VeterinarianFields, { users: ['userId', 'createdBy'], vetUser: 'userId' }),
  'health-record': record('HealthRecordRecorded', 'HealthRecordUpdated', 'HealthRecordSynced', HealthRecordFields, { pet: 'petId', vet: 'vetId', treats: true }),
  'lost-pet': record('LostPetReported', 'LostPetUpdated', 'LostPetSynced', LostPetFields, { users: ['reporterId'], pet: 'petId' }),
  'user-event': record('UserEventScheduled', 'UserEventUpdated', 'UserEventSynced', UserEventFields, { users: ['userId'], pet: 'petId', vet: 'vetId' }),
};
export type PetsAggregate = keyof typeof PETS_RECORD_TYPES;

type Schemas<A extends PetsAggregate> = (typeof PETS_RECORD_TYPES)[A]['schemas'];
type Triple<A extends PetsAggregate> =
  | EventEnvelope<(typeof PETS_RECORD_TYPES)[A]['created'], Static<Schemas<A>['created']>>
  | EventEnvelope<(typeof PETS_RECORD_TYPES)[A]['updated'], Static<Schemas<A>['updated']>>
  | EventEnvelope<(typeof PETS_RECORD_TYPES)[A]['synced'], Static<Schemas<A>['synced']>>;
export type PetEvent = Triple<'pet'>;
export type VeterinarianEvent = Triple<'veterinarian'>;
export type HealthRecordEvent = Triple<'health-record'>;
export type LostPetEvent = Triple<'lost-pet'>;
export type UserEventEvent = Triple<'user-event'>;
export type PetsEvent = PetEvent | VeterinarianEvent | HealthRecordEvent | LostPetEvent | UserEventEvent;
export type PetsEventType = PetsEvent['type'];

/** A creation names every reference; an edit or a sync names the ones it sets or clears (in `changes`). */
export const PETS_CONTRACTS = Object.fromEntries(
  Object.values(PETS_RECORD_TYPES).flatMap(({ created, updated, synced, schemas, refs }) => [
    [created, { schema: schemas.created, audience: { from: 'data', ...refs }, change: 'created' }],
    [updated, { schema: schemas.updated, audience: { from: 'changes', ...refs }, change: 'updated' }],
    [synced, { schema: schemas.synced, audience: { from: 'changes', ...refs }, change: 'updated' }],
  ]),
) as Record<PetsEventType, EventContract>;
