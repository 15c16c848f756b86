import type { PetsEvent } from '@ripple/contracts';
import { measurementOf } from './measurement-when-weight-set';

const ev = (type: string, data: unknown, aggregateType = 'pet') =>
  ({ id: 'e1', type, data, aggregateType, aggregateId: 'r1', actor: 'u1', correlationId: 'c1', causationId: 'cause', occurredAt: '2026-01-01T00:00:00.000Z' }) as unknown as PetsEvent;

describe('measurements', () => {
  it('one per weight a pet is given, by edit or by sync; none for other changes', () => {
    expect(measurementOf(ev('PetUpdated', { changes: { weightKg: 13 }, previous: { weightKg: 12 }, unconditional: true }))).toEqual({
      id: 'e1', petId: 'r1', weightKg: 13, sourceEventType: 'PetUpdated', recordedBy: 'u1', recordedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(measurementOf(ev('PetSynced', { changes: { weightKg: 14 }, previous: {} }))?.weightKg).toBe(14);
    expect(measurementOf(ev('PetUpdated', { changes: { name: 'Bo' }, previous: {}, unconditional: true }))).toBeUndefined();
    expect(measurementOf(ev('HealthRecordSynced', { changes: { weightKg: 14 }, previous: {} }, 'health-record'))).toBeUndefined();
  });
});
