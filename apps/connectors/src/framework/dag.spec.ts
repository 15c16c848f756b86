import fc from 'fast-check';
import { DependencyCycleError, topologicalLevels, UnknownDependencyError, type DagNode } from './dag';

const node = (name: string, ...dependsOn: string[]): DagNode => ({ name, dependsOn });
const names = (levels: DagNode[][]) => levels.map((l) => l.map((n) => n.name));

describe('topologicalLevels', () => {
  it('orders the catalog as the document does: independent, dependent, junctions', () => {
    const levels = topologicalLevels([
      node('board_talents', 'boards', 'talents'), node('talents'), node('portfolios', 'talents'), node('boards'), node('tags'),
      node('media', 'portfolios'), node('media_tags', 'media', 'tags'),
    ]);
    expect(names(levels)).toEqual([['talents', 'boards', 'tags'], ['board_talents', 'portfolios'], ['media'], ['media_tags']]);
  });

  it('refuses cycles and unknown dependencies', () => {
    expect(() => topologicalLevels([node('a', 'b'), node('b', 'a'), node('c')])).toThrow(DependencyCycleError);
    expect(() => topologicalLevels([node('a', 'zzz')])).toThrow(UnknownDependencyError);
  });

  // Any DAG: edges only point to earlier indices, then the declaration order is shuffled.
  const dags = fc.integer({ min: 1, max: 12 }).chain((n) =>
    fc.tuple(
      fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => `e${j}`)))),
      fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n }),
    ).map(([deps, order]) => order.map((i) => node(`e${i}`, ...deps[i]))),
  );

  it('puts every entity after all its dependencies, each exactly once, in the fewest levels', () => {
    fc.assert(
      fc.property(dags, (nodes) => {
        const levels = topologicalLevels(nodes);
        const levelOf = new Map(levels.flatMap((l, i) => l.map((n) => [n.name, i] as const)));
        expect(levels.flat()).toHaveLength(nodes.length);
        expect(levelOf.size).toBe(nodes.length);
        for (const n of nodes) {
          for (const d of n.dependsOn) expect(levelOf.get(d)!).toBeLessThan(levelOf.get(n.name)!);
          // Fewest levels: a node sits right after its deepest dependency (or first).
          const deepest = Math.max(-1, ...n.dependsOn.map((d) => levelOf.get(d)!));
          expect(levelOf.get(n.name)).toBe(deepest + 1);
        }
      }),
    );
  });

  it('finds a cycle whenever one is added to a DAG', () => {
    fc.assert(
      fc.property(dags.filter((n) => n.some((x) => x.dependsOn.length > 0)), (nodes) => {
        const edge = nodes.find((x) => x.dependsOn.length > 0)!;
        const back = nodes.map((x) => (x.name === edge.dependsOn[0] ? node(x.name, ...x.dependsOn, edge.name) : x));
        expect(() => topologicalLevels(back)).toThrow(DependencyCycleError);
      }),
    );
  });
});
