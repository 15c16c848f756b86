import type { DataSource } from 'typeorm';
import { pathKeys, REF_TYPE, TYPE_SPECS, type AdServerType, type RemotePath } from '../adserver-model';

/**
 * The paths a type's collections live at: one per parent entity. A parent
 * imported in this run is read from the run's staging; otherwise from what
 * is already known remotely (imported or synced), so one type can be imported on its own.
 */
export async function parentPaths(db: DataSource, type: AdServerType, runId: string, runEntities: readonly string[]): Promise<RemotePath[]> {
  const parent = TYPE_SPECS[type].parent;
  if (!parent) return [{}];
  const parentType = REF_TYPE[parent];
  if (runEntities.includes(parentType)) {
    const rows = await db.query('SELECT remote_id, path FROM connectors.adserver_import_staging WHERE run_id = $1 AND type = $2 ORDER BY remote_id', [runId, parentType]);
    return rows.map((r: { remote_id: string; path: RemotePath }) => ({ ...r.path, [parent]: r.remote_id }));
  }
  return knownPaths(db, parentType, parent as keyof RemotePath);
}

async function knownPaths(db: DataSource, type: AdServerType, key: keyof RemotePath): Promise<RemotePath[]> {
  const chain = [...pathKeys(type).map((k) => REF_TYPE[k]), type];
  const rows: { id: string; type: AdServerType; remote_id: string; refs: Record<string, string> }[] = await db.query(
    `SELECT id, type, remote_id, refs FROM connectors.adserver_entities WHERE type = ANY($1) AND remote_id IS NOT NULL ORDER BY remote_id`,
    [chain],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const pathOf = (r: (typeof rows)[number]): RemotePath | undefined => {
    const parent = TYPE_SPECS[r.type].parent;
    if (!parent) return {};
    const p = byId.get(r.refs[parent]);
    const above = p && pathOf(p);
    return above && { ...above, [parent]: p.remote_id };
  };
  return rows.filter((r) => r.type === type).flatMap((r) => {
    const p = pathOf(r);
    return p ? [{ ...p, [key]: r.remote_id }] : [];
  });
}
