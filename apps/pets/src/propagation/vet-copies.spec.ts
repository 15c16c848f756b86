import { record } from './fixtures';
import { vetCopies } from './vet-copies';

describe('vet copies', () => {
  it('sends clinic and phone to the vet’s health records, name and phone to their user events, nothing elsewhere', () => {
    const vet = record('veterinarian', 'v1', { name: 'Dr Vera Smith', clinicName: 'East', phone: '7', userId: null, createdBy: 'o' });
    const plans = vetCopies(vet, [
      record('health-record', 'h1', { vetId: 'v1', clinicName: 'West' }),
      record('health-record', 'h2', { vetId: 'v2', clinicName: 'West' }),
      record('user-event', 'e1', { vetId: 'v1', veterinarianName: 'Dr Vera' }),
    ]);
    expect(plans.map((p) => [p.target.id, p.wanted])).toEqual([
      ['h1', { clinicName: 'East', vetPhone: '7' }],
      ['e1', { veterinarianName: 'Dr Vera Smith', vetPhone: '7' }],
    ]);
    expect(plans[0].meta).toEqual({ rule: 'veterinarian-details', userId: 'o', sourceEventId: null });
  });
});
