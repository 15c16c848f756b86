import type { EntityManager } from 'typeorm';
import { uuidv7 } from '@ripple/contracts';
import { refsOf, REF_TYPE, TYPE_SPECS, type AdServerType, type RemotePath } from '../adserver-model';
import { fieldsFromRemote } from '../clean-payload';

interface Staged {
  remote_id: string;
  path: RemotePath;
  record: Record<string, unknown>;
}

/** The local id each referenced remote entity has, from its path or (a placement's ad and zone) its record. */
function refsFor(type: AdServerType, s: Staged, idOf: (t: AdServerType, remote: string) => string | undefined): Record<string, string> {
  const parent = TYPE_SPECS[type].parent;
  const refs: Record<string, string> = {};
  for (const ref of refsOf(type)) {
    const remote = ref === parent ? s.path[ref as keyof RemotePath] : s.record[`${ref}_id`];
    const id = remote === undefined || remote === null ? undefined : idOf(REF_TYPE[ref], String(remote));
    if (id) refs[ref] = id;
  }
  return refs;
}

/**
 * Replaces the production copy of one imported type: upserts what the run
 * fetched (keeping local ids, so local entities referencing them stay valid),
 * deletes imported and synced ones the API no longer has, never touches local ones.
 */
export async function applyImport(tx: EntityManager, type: AdServerType, runId: string): Promise<number> {
  const staged: Staged[] = await tx.query('SELECT remote_id, path, record FROM connectors.adserver_import_staging WHERE run_id = $1 AND type = $2', [runId, type]);
  const known: { id: string; type: string; remote_id: string }[] = await tx.query(
    'SELECT id, type, remote_id FROM connectors.adserver_entities WHERE remote_id IS NOT NULL AND type = ANY($1)',
    [refsOf(type).map((r) => REF_TYPE[r])],
  );
  const ids = new Map(known.map((k) => [`${k.type}:${k.remote_id}`, k.id]));
  const rows = staged.map((s) => ({
    id: uuidv7(), remote_id: s.remote_id, name: TYPE_SPECS[type].named ? String(s.record.name ?? '') : null,
    fields: fieldsFromRemote(type, s.record), refs: refsFor(type, s, (t, r) => ids.get(`${t}:${r}`)),
  }));
  await tx.query(
    `INSERT INTO connectors.adserver_entities (id, type, status, remote_id, name, fields, refs, created_at, updated_at)
     SELECT x.id, $1, 'imported', x.remote_id, x.name, x.fields, x.refs, now(), now()
     FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, remote_id text, name text, fields jsonb, refs jsonb)
     ON CONFLICT (type, remote_id) WHERE remote_id IS NOT NULL DO UPDATE SET name = excluded.name, fields = excluded.fields, refs = excluded.refs, updated_at = now()`,
    [type, JSON.stringify(rows)],
  );
  await tx.query(`DELETE FROM connectors.adserver_entities WHERE type = $1 AND status <> 'local' AND NOT (remote_id = ANY($2))`, [type, rows.map((r) => r.remote_id)]);
  return rows.length;
}
