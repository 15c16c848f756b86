/** Something that names the entities it depends on. */
export interface DagNode {
  name: string;
  dependsOn: readonly string[];
}

export class DependencyCycleError extends Error {
  readonly code = 'DEPENDENCY_CYCLE';
  constructor(readonly entities: string[]) {
    super(`entity dependencies form a cycle among ${entities.join(', ')}`);
  }
}

export class UnknownDependencyError extends Error {
  readonly code = 'UNKNOWN_DEPENDENCY';
  constructor(readonly entity: string, readonly dependency: string) {
    super(`${entity} depends on ${dependency}, which is not declared`);
  }
}

/**
 * Kahn's algorithm by levels: level n holds the entities whose dependencies are
 * all in levels < n, so the entities of one level can run in parallel. Names
 * inside a level keep declaration order, which keeps runs reproducible.
 */
export function topologicalLevels<T extends DagNode>(nodes: readonly T[]): T[][] {
  const names = new Set(nodes.map((n) => n.name));
  for (const n of nodes) for (const d of n.dependsOn) if (!names.has(d)) throw new UnknownDependencyError(n.name, d);
  const done = new Set<string>();
  let rest = [...nodes];
  const levels: T[][] = [];
  while (rest.length) {
    const ready = rest.filter((n) => n.dependsOn.every((d) => done.has(d)));
    if (!ready.length) throw new DependencyCycleError(rest.map((n) => n.name));
    levels.push(ready);
    for (const n of ready) done.add(n.name);
    rest = rest.filter((n) => !done.has(n.name));
  }
  return levels;
}
