import type { PetsAggregate } from '@ripple/contracts';
import type { Fields, RecordState } from '../records/record';

/** A record as the rules see it, for specs. */
export const record = (aggregate: PetsAggregate, id: string, fields: Fields, weightSourceEventId: string | null = null, editedAt: Record<string, string> = {}): RecordState => ({
  aggregate, id, version: 1, fields, weightSourceEventId, editedAt, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
});
