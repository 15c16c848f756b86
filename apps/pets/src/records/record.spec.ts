import type { PetsEvent } from '@ripple/contracts';
import { RecordVersionConflictError } from '../pets.errors';
import { createRecord, evolveRecord, syncRecord, updateRecord, type RecordState } from './record';

const pet = { ownerId: 'o', name: 'Rex', species: 'dog', breed: null, weightKg: 12, emergencyContactUserId: null, emergencyContactName: null, emergencyContactPhone: null };
let n = 0;
const envelope = (e: { type: string; data: unknown }) => ({ ...e, id: `e${++n}`, aggregateId: 'p1', aggregateType: 'pet', aggregateVersion: n, occurredAt: `2026-01-01T00:00:0${n}.000Z` }) as unknown as PetsEvent;
const given = (...events: { type: string; data: unknown }[]) => events.reduce<RecordState | undefined>((s, e) => evolveRecord(s, envelope(e)), undefined)!;
beforeEach(() => (n = 0));

describe('pet record', () => {
  it('registration sets the fields and makes the registration the weight source', () => {
    const s = given(...createRecord('pet', pet));
    expect(s).toMatchObject({ id: 'p1', version: 1, fields: pet, weightSourceEventId: 'e1', createdAt: '2026-01-01T00:00:01.000Z' });
  });

  it('an edit emits only what changes, with what it overwrote', () => {
    const s = given(...createRecord('pet', pet));
    expect(updateRecord(s, { name: 'Rex', weightKg: 13, breed: undefined })).toEqual([
      { type: 'PetUpdated', data: { changes: { weightKg: 13 }, previous: { weightKg: 12 }, unconditional: true } },
    ]);
    expect(updateRecord(s, { name: 'Rex' })).toEqual([]);
  });

  it('refuses a stale expected version, naming the current one', () => {
    const s = given(...createRecord('pet', pet), { type: 'PetUpdated', data: { changes: { name: 'Max' }, previous: { name: 'Rex' }, unconditional: true } });
    expect(() => updateRecord(s, { name: 'Bo' }, 1)).toThrow(RecordVersionConflictError);
    expect(updateRecord(s, { name: 'Bo' }, 2)[0].data).toMatchObject({ unconditional: false });
  });

  it('remembers when a person last set each field; a synced copy is not an edit', () => {
    const s = given(...createRecord('pet', pet), { type: 'PetUpdated', data: { changes: { name: 'Max' }, previous: { name: 'Rex' }, unconditional: true } });
    expect(s.editedAt).toMatchObject({ name: '2026-01-01T00:00:02.000Z', species: '2026-01-01T00:00:01.000Z' });
    expect(s.editedAt).not.toHaveProperty('breed'); // left empty at registration: nobody set it
    const [synced] = syncRecord(s, { emergencyContactPhone: '+1 9' }, { rule: 'contact-from-profile', userId: 'o', sourceEventId: null, forced: false });
    expect(evolveRecord(s, envelope(synced)).editedAt).toEqual(s.editedAt);
  });

  it('a synced weight keeps the source edit as its weight source, so it never counts as a newer edit', () => {
    const s = given(...createRecord('pet', pet));
    const [synced] = syncRecord(s, { weightKg: 14 }, { rule: 'weight-from-health-record', userId: 'o', sourceEventId: 'hr-edit', forced: false });
    const next = evolveRecord(s, envelope(synced));
    expect(next.fields.weightKg).toBe(14);
    expect(next.weightSourceEventId).toBe('hr-edit');
    expect(syncRecord(next, { weightKg: 14 }, { rule: 'weight-from-health-record', userId: 'o', sourceEventId: 'x', forced: false })).toEqual([]);
  });
});
