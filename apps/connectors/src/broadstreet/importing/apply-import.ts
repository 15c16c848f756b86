import type { EntityManager } from 'typeorm';
import { uuidv7 } from '@ripple/contracts';
import type { RunConflict } from '../../framework/connector';
import { refsOf, REF_TYPE, TYPE_SPECS, type AdServerType, type RefKey, type RemotePath } from '../adserver-model';
import { fieldsFromRemote } from '../clean-payload';
import { importConflicts, type HeldRow, type IncomingRow } from './import-conflicts';

interface Staged {
  remote_id: string;
  path: RemotePath;
  record: Record<string, unknown>;
}

/** The local id each referenced remote entity has, from its path or (a placement's ad and zone) its record; and those not held here. */
function refsFor(type: AdServerType, s: Staged, idOf: (t: AdServerType, remote: string) => string | undefined): Pick<IncomingRow, 'refs' | 'unresolved'> {
  const parent = TYPE_SPECS[type].parent;
  const refs: Partial<Record<RefKey, string>> = {};
  const unresolved: IncomingRow['unresolved'] = [];
  for (const ref of refsOf(type)) {
    const remote = ref === parent ? s.path[ref as keyof RemotePath] : s.record[`${ref}_id`];
    if (remote === undefined || remote === null) continue;
    const id = idOf(REF_TYPE[ref], String(remote));
    if (id) refs[ref] = id;
    else unresolved.push({ ref, remoteId: String(remote) });
  }
  return { refs, unresolved };
}

/**
 * Writes one imported type into the production copy: upserts what the run
 * fetched (keeping local ids, so local entities referencing them stay valid)
 * and never touches local ones. `prune` (a full import) also deletes imported
 * and synced ones the API no longer has; an incremental import clears nothing.
 * Returns what it wrote and the conflicts it found (see importConflicts).
 */
export async function applyImport(tx: EntityManager, type: AdServerType, runId: string, opts: { prune: boolean }): Promise<{ written: number; conflicts: RunConflict[] }> {
  const staged: Staged[] = await tx.query('SELECT remote_id, path, record FROM connectors.adserver_import_staging WHERE run_id = $1 AND type = $2', [runId, type]);
  const known: { id: string; type: string; remote_id: string }[] = await tx.query(
    'SELECT id, type, remote_id FROM connectors.adserver_entities WHERE remote_id IS NOT NULL AND type = ANY($1)',
    [refsOf(type).map((r) => REF_TYPE[r])],
  );
  const ids = new Map(known.map((k) => [`${k.type}:${k.remote_id}`, k.id]));
  const incoming = staged.map((s): IncomingRow => ({
    remoteId: s.remote_id, name: TYPE_SPECS[type].named ? String(s.record.name ?? '') : null, fields: fieldsFromRemote(type, s.record),
    ...refsFor(type, s, (t, r) => ids.get(`${t}:${r}`)),
  }));
  const held: HeldRow[] = (await tx.query('SELECT id, status, remote_id, name, fields, refs FROM connectors.adserver_entities WHERE type = $1', [type])).map(
    (h: Record<string, any>) => ({ id: h.id, status: h.status, remoteId: h.remote_id, name: h.name, fields: h.fields, refs: h.refs }),
  );
  const conflicts = importConflicts(type, incoming, held);
  const rows = incoming.map((r) => ({ id: uuidv7(), remote_id: r.remoteId, name: r.name, fields: r.fields, refs: r.refs }));
  await tx.query(
    `INSERT INTO connectors.adserver_entities (id, type, status, remote_id, name, fields, refs, created_at, updated_at)
     SELECT x.id, $1, 'imported', x.remote_id, x.name, x.fields, x.refs, now(), now()
     FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, remote_id text, name text, fields jsonb, refs jsonb)
     ON CONFLICT (type, remote_id) WHERE remote_id IS NOT NULL DO UPDATE SET name = excluded.name, fields = excluded.fields, refs = excluded.refs, updated_at = now()`,
    [type, JSON.stringify(rows)],
  );
  if (opts.prune) await tx.query(`DELETE FROM connectors.adserver_entities WHERE type = $1 AND status <> 'local' AND NOT (remote_id = ANY($2))`, [type, rows.map((r) => r.remote_id)]);
  return { written: rows.length, conflicts };
}
