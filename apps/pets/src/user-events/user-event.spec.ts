import type { UserEventEvent } from '@ripple/contracts';
import { deciderSpec } from '@ripple/testing';
import { record } from '../records/record.fixtures';
import { evolveUserEvent, scheduleUserEvent, updateUserEvent, type UserEventState } from './user-event';

const spec = deciderSpec<UserEventState, UserEventEvent>({ evolve: evolveUserEvent, aggregateType: 'user-event', aggregateId: 'ue1' });
const vet = record('veterinarian', 'v1', { name: 'Dr Vera', phone: '7' });
const scheduled = {
  type: 'UserEventScheduled',
  data: { userId: 'u1', vetId: 'v1', petId: null, title: 'Checkup', startsAt: '2026-03-01T09:00:00.000Z', veterinarianName: 'Dr Vera', vetPhone: '7' },
} as const;

describe('scheduleUserEvent', () => {
  it('copies the vet’s name and phone and keeps the time in UTC', () => {
    spec.given().when(() => scheduleUserEvent({ userId: 'u1', vet, title: 'Checkup', startsAt: '2026-03-01T10:00:00+01:00' })).then([scheduled]);
  });
});

describe('updateUserEvent', () => {
  it('moves the time (in UTC) and renames; the same time written otherwise is no change', () => {
    const given = spec.given(scheduled);
    given.when((e) => updateUserEvent(e, { title: 'Vaccine', startsAt: '2026-03-02T09:00:00Z' })).then([{
      type: 'UserEventUpdated',
      data: { changes: { title: 'Vaccine', startsAt: '2026-03-02T09:00:00.000Z' }, previous: { title: 'Checkup', startsAt: '2026-03-01T09:00:00.000Z' }, unconditional: true },
    }]);
    given.when((e) => updateUserEvent(e, { startsAt: '2026-03-01T10:00:00+01:00' })).then([]);
  });
});
