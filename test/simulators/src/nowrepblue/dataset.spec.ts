import { generateDataset, recordCount } from './dataset';
import { mutateDataset } from './mutations';

describe('simulated NowRepBlue data', () => {
  it('is the same for the same seed and about 19 records per talent', () => {
    const a = generateDataset(40, 7).data;
    expect(generateDataset(40, 7).data).toEqual(a);
    expect(generateDataset(40, 8).data).not.toEqual(a);
    expect(recordCount(a)).toBeGreaterThan(40 * 18);
    expect(a.boards).toHaveLength(2);
  });

  it('keeps referential integrity through removals, changes and additions', () => {
    const { data, generator } = generateDataset(60, 3);
    const result = mutateDataset(data, generator, { added: 5, changed: 4, removed: 6 });
    expect([result.addedTalents.length, result.changedTalents.length, result.removedTalents.length, result.renamedBoards.length]).toEqual([5, 4, 6, 1]);
    const talents = new Set(data.talents.map((t) => t.id));
    const portfolios = new Set(data.portfolios.map((p) => p.id));
    const media = new Set(data.media.map((m) => m.id));
    expect(talents.size).toBe(59);
    expect(data.portfolios.every((p) => talents.has(p.talentId as string))).toBe(true);
    expect(data.media.every((m) => portfolios.has(m.portfolioId as string))).toBe(true);
    expect(data['media-tags'].every((x) => media.has(x.mediaId as string))).toBe(true);
    expect(data['boards-talents'].every((x) => talents.has(x.talentId as string))).toBe(true);
    expect(data['boards-portfolios'].every((x) => portfolios.has(x.portfolioId as string))).toBe(true);
  });
});
