import type { RunConflict } from '../../framework/connector';
import { TYPE_SPECS, type AdServerType, type EntityStatus, type RefKey } from '../adserver-model';

/** A fetched record as it will be written: references resolved to local ids, and those that could not be. */
export interface IncomingRow {
  remoteId: string;
  name: string | null;
  fields: Record<string, unknown>;
  refs: Partial<Record<RefKey, string>>;
  unresolved: { ref: RefKey; remoteId: string }[];
}

/** An entity of the same type already held here. */
export interface HeldRow {
  id: string;
  status: EntityStatus;
  remoteId: string | null;
  name: string | null;
  fields: Record<string, unknown>;
  refs: Partial<Record<RefKey, string>>;
}

/** Fields as the ad server would hold them: set values only, trimmed, as text. */
function normal(fields: Record<string, unknown>): string {
  const set = Object.entries(fields).flatMap(([k, v]) => (v === null || v === undefined || String(v).trim() === '' ? [] : [[k, String(v).trim()]]));
  return JSON.stringify(set.sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * What an import finds at odds with the entities held here, and how each is
 * settled (the ad server is the source of truth for what it holds):
 * - `unknown_reference`: the record names a parent or referenced entity not
 *   imported here; it is kept without that reference.
 * - `changed_remotely`: an entity exported from here was changed on the ad
 *   server since; the ad server's version replaces the local one.
 * - `name_taken_locally`: a local entity, not yet exported, has the same name
 *   under the same parent; its export will take the next free "Name (n)".
 */
export function importConflicts(type: AdServerType, incoming: IncomingRow[], held: HeldRow[]): RunConflict[] {
  const parent = TYPE_SPECS[type].parent;
  const byRemote = new Map(held.filter((h) => h.remoteId !== null).map((h) => [h.remoteId!, h]));
  const locals = held.filter((h) => h.status === 'local');
  return incoming.flatMap((r): RunConflict[] => {
    const out: RunConflict[] = r.unresolved.map((u) => ({ kind: 'unknown_reference', remoteId: r.remoteId, detail: `${u.ref} ${u.remoteId} is not imported: kept without it` }));
    const known = byRemote.get(r.remoteId);
    if (known?.status === 'synced' && (known.name !== r.name || normal(known.fields) !== normal(r.fields))) {
      out.push({ kind: 'changed_remotely', remoteId: r.remoteId, localId: known.id, detail: 'changed on the ad server since it was exported from here: the ad server\'s version is kept' });
    }
    if (!known && r.name !== null) {
      const clash = locals.find((l) => l.name?.trim() === r.name && (!parent || l.refs[parent] === r.refs[parent]));
      if (clash) out.push({ kind: 'name_taken_locally', remoteId: r.remoteId, localId: clash.id, detail: `the local "${r.name}" will be exported under the next free name` });
    }
    return out;
  });
}
