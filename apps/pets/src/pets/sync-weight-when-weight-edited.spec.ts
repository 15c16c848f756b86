import type { DomainEvent } from '@ripple/contracts';
import { weightTriggersOf } from './sync-weight-when-weight-edited';

const ev = (id: string, type: string, aggregateType: string, aggregateId: string, data: unknown) => ({ id, type, aggregateType, aggregateId, data }) as unknown as DomainEvent;

describe('what the weight reactor reacts to', () => {
  it('a person’s weight edits, keeping the last event per pet (a burst costs one reaction)', () => {
    const t = weightTriggersOf([
      ev('a', 'PetUpdated', 'pet', 'p1', { changes: { weightKg: 20 } }),
      ev('b', 'PetUpdated', 'pet', 'p1', { changes: { weightKg: 21 } }),
      ev('c', 'PetUpdated', 'pet', 'p2', { changes: { name: 'Bo' } }),
      ev('d', 'HealthRecordRecorded', 'health-record', 'h1', { petId: 'p3' }),
      ev('e', 'HealthRecordUpdated', 'health-record', 'h2', { changes: { weightKg: 4 } }),
      ev('f', 'HealthRecordUpdated', 'health-record', 'h3', { changes: { notes: 'x' } }),
    ]);
    expect([...t.pets].map(([id, e]) => [id, e.id])).toEqual([['p1', 'b'], ['p3', 'd']]);
    expect([...t.healthRecords.keys()]).toEqual(['h2']);
  });

  it('never its own output: synced weights trigger nothing, so the two directions cannot loop', () => {
    const t = weightTriggersOf([
      ev('a', 'PetSynced', 'pet', 'p1', { changes: { weightKg: 20 } }),
      ev('b', 'HealthRecordSynced', 'health-record', 'h1', { changes: { weightKg: 20 } }),
    ]);
    expect([t.pets.size, t.healthRecords.size]).toEqual([0, 0]);
  });
});
