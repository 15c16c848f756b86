import { generateDataset } from './dataset';
import { ChangeLog } from './change-log';
import { mutateDataset } from './mutations';

describe('the simulator\'s change log', () => {
  it('lists, after a revision, exactly what a mutation added or changed, and tombstones of what it removed', () => {
    const { data, generator } = generateDataset(30, 3);
    const log = new ChangeLog();
    expect(log.since(data, 'talents', 0)).toEqual([]);
    const m = log.track(data, () => mutateDataset(data, generator, { added: 2, changed: 3, removed: 1 }));
    expect(log.revision).toBe(1);
    const talents = log.since(data, 'talents', 0);
    expect(talents.filter((t) => !t.deleted).map((t) => t.id).sort()).toEqual([...m.addedTalents, ...m.changedTalents].sort());
    expect(talents.filter((t) => t.deleted)).toEqual(m.removedTalents.map((id) => ({ id, deleted: true })));
    // A junction's tombstone carries its whole key.
    const removedLinks = log.since(data, 'boards-talents', 0).filter((x) => x.deleted);
    for (const x of removedLinks) expect(Object.keys(x).sort()).toEqual(['boardId', 'deleted', 'talentId']);
    expect(log.since(data, 'talents', 1)).toEqual([]);
  });
});
