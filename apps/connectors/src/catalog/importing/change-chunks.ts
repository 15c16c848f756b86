import type { CatalogEntityChangedData, ChangeCounts } from '@ripple/contracts';

export type ChangeKind = 'added' | 'changed' | 'removed';
export interface EntityChanges {
  added: string[];
  changed: string[];
  removed: string[];
}

export function classifyChanges(rows: { id: string; change: ChangeKind }[]): EntityChanges {
  const out: EntityChanges = { added: [], changed: [], removed: [] };
  for (const r of rows) out[r.change].push(r.id);
  return out;
}

export const countsOf = (c: EntityChanges): ChangeCounts => ({ added: c.added.length, changed: c.changed.length, removed: c.removed.length });

/**
 * Splits one entity's changes into events of at most `maxIds` ids in all, so a
 * message stays small whatever the size of the import. Every chunk repeats the
 * entity's totals, so a consumer that sees one chunk knows the whole picture.
 * No changes, no events.
 */
export function changeChunks(runId: string, entity: string, version: CatalogEntityChangedData['version'], changes: EntityChanges, maxIds: number): CatalogEntityChangedData[] {
  const all = (['added', 'changed', 'removed'] as const).flatMap((kind) => changes[kind].map((id) => ({ kind, id })));
  const chunks = Math.ceil(all.length / maxIds);
  const counts = countsOf(changes);
  return Array.from({ length: chunks }, (_, i) => {
    const slice = all.slice(i * maxIds, (i + 1) * maxIds);
    const of = (kind: ChangeKind) => slice.filter((x) => x.kind === kind).map((x) => x.id);
    return { runId, entity, version, chunk: i + 1, chunks, counts, added: of('added'), changed: of('changed'), removed: of('removed') };
  });
}
