import { record } from '../records/record.fixtures';
import { userEventDetailsFromVet } from '../user-events/details-from-veterinarian';
import { healthRecordDetailsFromVet } from './details-from-veterinarian';

const vet = record('veterinarian', 'v1', { name: 'Dr Vera Smith', clinicName: 'East', phone: '7', userId: null, createdBy: 'o' });

describe('vet details on the vet’s visits and appointments', () => {
  it('sends clinic and phone to the vet’s health records, nothing to another vet’s', () => {
    const plans = healthRecordDetailsFromVet(vet, [record('health-record', 'h1', { vetId: 'v1', clinicName: 'West' }), record('health-record', 'h2', { vetId: 'v2' })]);
    expect(plans.map((p) => [p.target.id, p.wanted])).toEqual([['h1', { clinicName: 'East', vetPhone: '7' }]]);
    expect(plans[0].meta).toEqual({ rule: 'veterinarian-details', userId: 'o', sourceEventId: null });
  });

  it('sends name and phone to the user events with the vet', () => {
    const plans = userEventDetailsFromVet(vet, [record('user-event', 'e1', { vetId: 'v1', veterinarianName: 'Dr Vera' }), record('user-event', 'e2', { vetId: 'v2' })]);
    expect(plans.map((p) => [p.target.id, p.wanted])).toEqual([['e1', { veterinarianName: 'Dr Vera Smith', vetPhone: '7' }]]);
  });
});
