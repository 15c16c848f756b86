import type { HealthRecordEvent } from '@ripple/contracts';
import { VersionConflictError } from '@ripple/errors';
import { deciderSpec } from '@ripple/testing';
import { NotAllowedError } from '../pets.errors';
import { record } from '../records/record.fixtures';
import { evolveHealthRecord, recordHealthVisit, updateHealthRecord, type HealthRecordState } from './health-record';

const spec = deciderSpec<HealthRecordState, HealthRecordEvent>({ evolve: evolveHealthRecord, aggregateType: 'health-record', aggregateId: 'h1' });
const pet = record('pet', 'p1', { ownerId: 'u-owner' });
const vet = record('veterinarian', 'v1', { clinicName: 'East', phone: '7', userId: 'u-vet', createdBy: 'u-owner' });
const visit = { petId: 'p1', vetId: 'v1', clinicName: 'East', vetPhone: '7', weightKg: 12, visitDate: '2026-02-01', notes: '' };
const recorded = { type: 'HealthRecordRecorded', data: visit } as const;

describe('recordHealthVisit', () => {
  it('copies clinic and phone from the vet; the owner or the vet’s user may record it', () => {
    const s = spec.given().when(() => recordHealthVisit({ caller: { sub: 'u-owner', role: 'pet_owner' }, pet, vet, weightKg: 12, visitDate: '2026-02-01' })).then([recorded]);
    expect(s.weightSourceEventId).toBe('e1');
    spec.given().when(() => recordHealthVisit({ caller: { sub: 'u-vet', role: 'veterinarian' }, pet, vet, weightKg: 12, visitDate: '2026-02-01' })).then([recorded]);
  });

  it('refuses anyone else', () => {
    spec.given().when(() => recordHealthVisit({ caller: { sub: 'u-x', role: 'veterinarian' }, pet, vet, visitDate: '2026-02-01' })).thenThrows(NotAllowedError);
  });
});

describe('updateHealthRecord', () => {
  it('a corrected weight becomes the record’s weight source; null clears it', () => {
    const given = spec.given(recorded);
    const corrected = given.when((h) => updateHealthRecord(h, { weightKg: 12.5, notes: undefined })).then([
      { type: 'HealthRecordUpdated', data: { changes: { weightKg: 12.5 }, previous: { weightKg: 12 }, unconditional: true } },
    ]);
    expect(corrected.weightSourceEventId).toBe('e2');
    given.when((h) => updateHealthRecord(h, { weightKg: null }, 1)).then([
      { type: 'HealthRecordUpdated', data: { changes: { weightKg: null }, previous: { weightKg: 12 }, unconditional: false } },
    ]);
    given.when((h) => updateHealthRecord(h, { notes: 'x' }, 2)).thenThrows(VersionConflictError);
  });
});
