import type { DomainEvent } from '@ripple/contracts';
import { vetTriggersOf } from './copy-details-when-vet-changed';

const ev = (id: string, type: string, aggregateType: string, aggregateId: string, data: unknown) => ({ id, type, aggregateType, aggregateId, data }) as unknown as DomainEvent;

describe('what the vet-details reactor reacts to', () => {
  it('vet details changed by a person or by the contact rule; not the email, not profile events', () => {
    const vets = vetTriggersOf([
      ev('a', 'VeterinarianUpdated', 'veterinarian', 'v1', { changes: { clinicName: 'East' } }),
      ev('b', 'VeterinarianSynced', 'veterinarian', 'v2', { changes: { phone: '7' } }),
      ev('c', 'VeterinarianUpdated', 'veterinarian', 'v3', { changes: { email: 'x@y' } }),
      ev('d', 'UserProfileUpdated', 'user', 'u1', { changes: { phone: '7' } }),
    ]);
    expect([...vets.keys()]).toEqual(['v1', 'v2']);
  });
});
