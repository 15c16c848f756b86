import fc from 'fast-check';
import { topologicalLevels } from '../framework/dag';
import { ADSERVER_ENTITIES, collectionPath, pathKeys } from './adserver-model';

const levelOf = (levels: { name: string }[][]) => new Map(levels.flatMap((l, i) => l.map((e) => [e.name, i] as const)));

describe('the ad-server dependency order', () => {
  it('is document 004\'s hierarchy: advertisements at level 3, campaigns at level 4', () => {
    expect(topologicalLevels(ADSERVER_ENTITIES).map((l) => l.map((e) => e.name))).toEqual([
      ['networks'], ['advertisers', 'zones'], ['advertisements'], ['campaigns'], ['placements'],
    ]);
  });

  it('puts every type after all it depends on, whatever the declaration order and subset', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...ADSERVER_ENTITIES], { minLength: 1 }), (subset) => {
        const names = new Set(subset.map((e) => e.name));
        const nodes = subset.map((e) => ({ ...e, dependsOn: e.dependsOn.filter((d) => names.has(d)) }));
        const level = levelOf(topologicalLevels(nodes));
        expect(level.size).toBe(nodes.length);
        for (const e of nodes) for (const d of e.dependsOn) expect(level.get(d)!).toBeLessThan(level.get(e.name)!);
      }),
    );
  });

  it('orders any random DAG so that dependencies come first, and levels are as early as possible', () => {
    const dag = fc.integer({ min: 1, max: 12 }).chain((n) =>
      fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => `e${j}`)))).map((deps) => deps.map((d, i) => ({ name: `e${i}`, dependsOn: d }))),
    );
    fc.assert(
      fc.property(dag.chain((nodes) => fc.shuffledSubarray(nodes, { minLength: nodes.length })), (nodes) => {
        const level = levelOf(topologicalLevels(nodes));
        for (const e of nodes) {
          const deps = e.dependsOn.map((d) => level.get(d)!);
          expect(level.get(e.name)).toBe(deps.length ? Math.max(...deps) + 1 : 0);
        }
      }),
    );
  });
});

describe('collection paths', () => {
  it('nest as Broadstreet v0 does', () => {
    expect(collectionPath('networks', {})).toBe('/networks');
    expect(collectionPath('zones', { network: '1' })).toBe('/networks/1/zones');
    expect(collectionPath('placements', { network: '1', advertiser: '2', campaign: '3' })).toBe('/networks/1/advertisers/2/campaigns/3/placements');
    expect(pathKeys('placements')).toEqual(['network', 'advertiser', 'campaign']);
    expect(pathKeys('advertisements')).toEqual(['network', 'advertiser']);
  });
});
