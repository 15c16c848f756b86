import type { PetsAggregate } from '@ripple/contracts';
import type { RecordFields, RecordState } from './record-state';

const AT = '2026-01-01T00:00:00.000Z';

const DEFAULTS: { [A in PetsAggregate]: RecordFields<A> } = {
  pet: { ownerId: 'o', name: 'Rex', species: 'dog', breed: null, weightKg: null, emergencyContactUserId: null, emergencyContactName: null, emergencyContactPhone: null },
  veterinarian: { name: 'Dr Vera', clinicName: 'West', phone: null, email: null, userId: null, createdBy: 'o' },
  'health-record': { petId: 'p1', vetId: 'v1', clinicName: 'West', vetPhone: null, weightKg: null, visitDate: '2026-01-01', notes: '' },
  'lost-pet': { petId: 'p1', reporterId: 'o', contactPhone: null, lastSeenLocation: 'park', status: 'lost' },
  'user-event': { userId: 'o', vetId: 'v1', petId: null, title: 'Checkup', startsAt: AT, veterinarianName: 'Dr Vera', vetPhone: null },
};

/** A record as the rules see it, for specs: the given fields over plain defaults. */
export const record = <A extends PetsAggregate>(
  aggregate: A, id: string, fields: Partial<RecordFields<A>>, weightSourceEventId: string | null = null, editedAt: Record<string, string> = {},
): RecordState<A> => ({
  aggregate, id, version: 1, fields: { ...DEFAULTS[aggregate], ...fields }, weightSourceEventId, editedAt, createdAt: AT, updatedAt: AT,
});
