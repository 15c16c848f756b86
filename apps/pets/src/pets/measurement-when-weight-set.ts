import type { PetsEvent } from '@ripple/contracts';

export interface Measurement {
  id: string;
  petId: string;
  weightKg: number;
  sourceEventType: string;
  recordedBy: string;
  recordedAt: string;
}

/** Every weight a pet is given (registered, edited, or synced from a health record) is one measurement. */
export function measurementOf(e: PetsEvent): Measurement | undefined {
  const base = { id: e.id, petId: e.aggregateId, sourceEventType: e.type, recordedBy: e.actor, recordedAt: e.occurredAt };
  switch (e.type) {
    case 'PetRegistered':
      return e.data.weightKg === null ? undefined : { ...base, weightKg: e.data.weightKg };
    case 'PetUpdated':
    case 'PetSynced': {
      const w = e.data.changes.weightKg;
      return w === undefined || w === null ? undefined : { ...base, weightKg: w };
    }
    default:
      return undefined;
  }
}
