import { record } from '../records/record.fixtures';
import { weightWithLatestHealthRecord } from './weight-with-latest-health-record';

const order = (...ids: string[]) => (id: string | null) => (id === null ? -1 : ids.indexOf(id));
const pet = (weightKg: number | null, source: string | null) => record('pet', 'p1', { ownerId: 'o', weightKg }, source);
const latest = (weightKg: number | null, source: string | null) => record('health-record', 'h1', { petId: 'p1', weightKg }, source);

describe('weight between a pet and its latest health record', () => {
  it('a newer pet weight goes to the record', () => {
    expect(weightWithLatestHealthRecord(pet(13, 'pet-edit'), latest(12, 'hr-edit'), order('hr-edit', 'pet-edit'))).toMatchObject({
      target: { id: 'h1' }, wanted: { weightKg: 13 }, meta: { rule: 'weight-from-pet', sourceEventId: 'pet-edit', userId: 'o' },
    });
  });

  it('a newer correction on the record goes to the pet', () => {
    expect(weightWithLatestHealthRecord(pet(13, 'pet-edit'), latest(13.4, 'hr-edit'), order('pet-edit', 'hr-edit'))).toMatchObject({
      target: { id: 'p1' }, wanted: { weightKg: 13.4 }, meta: { rule: 'weight-from-health-record', sourceEventId: 'hr-edit' },
    });
  });

  it('does nothing once both agree: the synced copy does not bounce back', () => {
    expect(weightWithLatestHealthRecord(pet(13.4, 'hr-edit'), latest(13.4, 'hr-edit'), order('pet-edit', 'hr-edit'))).toBeUndefined();
  });

  it('never overwrites a later edit with an earlier one, whichever order the reactions run in', () => {
    // The pet edit was accepted first, then the record correction: the record keeps its value, the pet follows it.
    expect(weightWithLatestHealthRecord(pet(10, 'pet-edit'), latest(12, 'hr-edit'), order('pet-edit', 'hr-edit'))?.target.id).toBe('p1');
  });

  it('never clears a weight, and leaves pets without health records alone', () => {
    expect(weightWithLatestHealthRecord(pet(null, null), latest(12, 'hr-edit'), order('hr-edit'))).toMatchObject({ target: { id: 'p1' }, wanted: { weightKg: 12 } });
    expect(weightWithLatestHealthRecord(pet(12, 'pet-edit'), latest(null, 'hr-clear'), order('pet-edit', 'hr-clear'))).toBeUndefined();
    expect(weightWithLatestHealthRecord(pet(12, 'pet-edit'), undefined, order())).toBeUndefined();
  });
});
