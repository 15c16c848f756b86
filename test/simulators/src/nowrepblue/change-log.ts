import { ENTITY_PATHS, type Dataset, type EntityPath } from './dataset';

type Rec = Record<string, unknown>;

/** The fields that identify a record of each entity (junctions have no id of their own). */
const KEY_FIELDS: Record<EntityPath, readonly string[]> = {
  talents: ['id'], boards: ['id'], tags: ['id'], portfolios: ['id'], measurements: ['id'], socials: ['id'], media: ['id'],
  'boards-talents': ['boardId', 'talentId'], 'boards-portfolios': ['boardId', 'portfolioId'], 'media-tags': ['mediaId', 'tagId'],
};

const keyFields = (p: EntityPath, r: Rec): Rec => Object.fromEntries(KEY_FIELDS[p].map((k) => [k, r[k]]));
const keyOf = (p: EntityPath, r: Rec): string => KEY_FIELDS[p].map((k) => String(r[k])).join(':');

/**
 * What changed upstream and when, for `?changed_since=<revision>`: every
 * mutation bumps a revision and stamps the records it added or changed, and
 * leaves a tombstone for each record it removed. Records never touched are at revision 0.
 */
export class ChangeLog {
  revision = 0;
  private readonly changedAt = new WeakMap<object, number>();
  private readonly removed: Partial<Record<EntityPath, { key: Rec; revision: number }[]>> = {};

  /** Runs a mutation of the dataset and records what it did, by comparing before and after. */
  track<T>(d: Dataset, mutate: () => T): T {
    const before = Object.fromEntries(ENTITY_PATHS.map((p) => [p, new Map(d[p].map((r) => [keyOf(p, r), JSON.stringify(r)]))])) as Record<EntityPath, Map<string, string>>;
    const result = mutate();
    this.revision += 1;
    for (const p of ENTITY_PATHS) {
      const still = new Set<string>();
      for (const r of d[p]) {
        const k = keyOf(p, r);
        still.add(k);
        if (before[p].get(k) !== JSON.stringify(r)) this.changedAt.set(r, this.revision);
      }
      for (const [k, json] of before[p]) if (!still.has(k)) (this.removed[p] ??= []).push({ key: keyFields(p, JSON.parse(json)), revision: this.revision });
    }
    return result;
  }

  /** One entity's records changed after `since`, then tombstones (`{ ...key, deleted: true }`) of those removed after it. */
  since(d: Dataset, p: EntityPath, since: number): Rec[] {
    const changed = d[p].filter((r) => (this.changedAt.get(r) ?? 0) > since);
    const gone = (this.removed[p] ?? []).filter((t) => t.revision > since).map((t) => ({ ...t.key, deleted: true }));
    return [...changed, ...gone];
  }
}
