import type { DomainEvent } from '@ripple/contracts';
import { triggersOf } from './reactor-triggers';

const ev = (id: string, type: string, aggregateType: string, aggregateId: string, data: unknown) => ({ id, type, aggregateType, aggregateId, data }) as unknown as DomainEvent;

describe('what the pets reactor reacts to', () => {
  it('a person’s weight edits, keeping the last event per pet (a burst costs one reaction)', () => {
    const t = triggersOf([
      ev('a', 'PetUpdated', 'pet', 'p1', { changes: { weightKg: 20 } }),
      ev('b', 'PetUpdated', 'pet', 'p1', { changes: { weightKg: 21 } }),
      ev('c', 'PetUpdated', 'pet', 'p2', { changes: { name: 'Bo' } }),
      ev('d', 'HealthRecordRecorded', 'health-record', 'h1', { petId: 'p3' }),
      ev('e', 'HealthRecordUpdated', 'health-record', 'h2', { changes: { weightKg: 4 } }),
    ]);
    expect([...t.pets].map(([id, e]) => [id, e.id])).toEqual([['p1', 'b'], ['p3', 'd']]);
    expect([...t.healthRecords.keys()]).toEqual(['h2']);
  });

  it('never its own output: synced weights trigger nothing, so the two directions cannot loop', () => {
    const t = triggersOf([
      ev('a', 'PetSynced', 'pet', 'p1', { changes: { weightKg: 20 } }),
      ev('b', 'HealthRecordSynced', 'health-record', 'h1', { changes: { weightKg: 20 } }),
    ]);
    expect([t.pets.size, t.healthRecords.size, t.vets.size]).toEqual([0, 0, 0]);
  });

  it('vet details changed by a person or by the contact rule; not the email, not profile events', () => {
    const t = triggersOf([
      ev('a', 'VeterinarianUpdated', 'veterinarian', 'v1', { changes: { clinicName: 'East' } }),
      ev('b', 'VeterinarianSynced', 'veterinarian', 'v2', { changes: { phone: '7' } }),
      ev('c', 'VeterinarianUpdated', 'veterinarian', 'v3', { changes: { email: 'x@y' } }),
      ev('d', 'UserProfileUpdated', 'user', 'u1', { changes: { phone: '7' } }),
    ]);
    expect([...t.vets.keys()]).toEqual(['v1', 'v2']);
  });
});
