import type { LostPetEvent } from '@ripple/contracts';
import { deciderSpec } from '@ripple/testing';
import { record } from '../records/record.fixtures';
import { evolveLostPetReport, reopens, reportLostPet, updateLostPetReport, type LostPetReportState } from './lost-pet-report';

const spec = deciderSpec<LostPetReportState, LostPetEvent>({ evolve: evolveLostPetReport, aggregateType: 'lost-pet', aggregateId: 'l1' });
const reported = { type: 'LostPetReported', data: { petId: 'p1', reporterId: 'u1', contactPhone: '+1 222', lastSeenLocation: 'park', status: 'lost' } } as const;
const found = { type: 'LostPetUpdated', data: { changes: { status: 'found' }, previous: { status: 'lost' }, unconditional: true } } as const;

describe('reportLostPet', () => {
  it('is lost, with the reporter’s phone as the contact', () => {
    spec.given().when(() => reportLostPet({ pet: record('pet', 'p1', {}), reporterId: 'u1', reporterPhone: '+1 222', lastSeenLocation: 'park' })).then([reported]);
  });
});

describe('updateLostPetReport', () => {
  it('a found report that is lost again takes the reporter’s current phone', () => {
    const given = spec.given(reported, found);
    expect(reopens(given.state, { status: 'lost' })).toBe(true);
    given.when((r) => updateLostPetReport(r, { status: 'lost' }, '+1 999')).then([
      { type: 'LostPetUpdated', data: { changes: { status: 'lost', contactPhone: '+1 999' }, previous: { status: 'found', contactPhone: '+1 222' }, unconditional: true } },
    ]);
  });

  it('a report still lost keeps its contact; only what changes is emitted', () => {
    const given = spec.given(reported);
    expect(reopens(given.state, { status: 'lost' })).toBe(false);
    given.when((r) => updateLostPetReport(r, { status: 'lost', lastSeenLocation: 'river' }, '+1 999')).then([
      { type: 'LostPetUpdated', data: { changes: { lastSeenLocation: 'river' }, previous: { lastSeenLocation: 'park' }, unconditional: true } },
    ]);
  });
});
