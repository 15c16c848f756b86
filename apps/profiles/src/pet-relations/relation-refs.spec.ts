import { mergeRelationChanges, relationRefs } from './relation-refs';

const event = (aggregateType: string, aggregateId: string, data: unknown) => ({ aggregateType, aggregateId, data }) as never;

describe('relationRefs', () => {
  it('takes a creation\'s references from its data and an edit\'s from its changes, cleared ones included', () => {
    expect(relationRefs(event('pet', 'p1', { ownerId: 'o1', name: 'Rex', emergencyContactUserId: null }))).toEqual({ ownerId: 'o1', emergencyContactUserId: null });
    expect(relationRefs(event('pet', 'p1', { changes: { emergencyContactUserId: 'c1' }, previous: { emergencyContactUserId: null } }))).toEqual({ emergencyContactUserId: 'c1' });
    expect(relationRefs(event('health-record', 'h1', { petId: 'p1', vetId: 'v1', notes: 'ok' }))).toEqual({ petId: 'p1', vetId: 'v1' });
    expect(relationRefs(event('veterinarian', 'v1', { name: 'Dr', userId: 'u9', createdBy: 'o1' }))).toEqual({ userId: 'u9' });
  });

  it('ignores events that relate nobody', () => {
    expect(relationRefs(event('pet', 'p1', { changes: { weightKg: 4 } }))).toBeUndefined();
    expect(relationRefs(event('lost-pet', 'l1', { petId: 'p1', reporterId: 'o1' }))).toBeUndefined();
  });
});

describe('mergeRelationChanges', () => {
  it('keeps one change per record, later events winning field by field', () => {
    expect(mergeRelationChanges([
      event('pet', 'p1', { ownerId: 'o1', emergencyContactUserId: 'c1' }),
      event('pet', 'p2', { ownerId: 'o2' }),
      event('pet', 'p1', { changes: { emergencyContactUserId: null } }),
      event('pet', 'p1', { changes: { weightKg: 3 } }),
    ])).toEqual([
      { aggregateType: 'pet', aggregateId: 'p1', refs: { ownerId: 'o1', emergencyContactUserId: null } },
      { aggregateType: 'pet', aggregateId: 'p2', refs: { ownerId: 'o2' } },
    ]);
  });
});
