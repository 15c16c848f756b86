import type { DataSource, EntityManager } from 'typeorm';
import { uuidv7 } from '@ripple/contracts';
import type { AdServerType, EntityStatus, RefKey, RemotePath } from './adserver-model';

export interface SyncError {
  at: string;
  category: string;
  message: string;
}

export interface AdServerRow {
  id: string;
  type: AdServerType;
  status: EntityStatus;
  remoteId: string | null;
  name: string | null;
  fields: Record<string, string | number | null>;
  refs: Partial<Record<RefKey, string>>;
  syncErrors: SyncError[];
  lastSyncAttempt: string | null;
  syncedAt: string | null;
  createdAt: string;
}

export interface IdMapEntry {
  localId: string;
  marker: string;
  sentName: string | null;
  remotePath: RemotePath;
  remoteId: string | null;
}

/** At most this many errors are kept per entity: the newest ones. */
const MAX_SYNC_ERRORS = 20;
const T = 'connectors.adserver_entities';

const toRow = (r: Record<string, any>): AdServerRow => ({
  id: r.id, type: r.type, status: r.status, remoteId: r.remote_id, name: r.name, fields: r.fields, refs: r.refs, syncErrors: r.sync_errors,
  lastSyncAttempt: r.last_sync_attempt?.toISOString() ?? null, syncedAt: r.synced_at?.toISOString() ?? null, createdAt: r.created_at.toISOString(),
});

/** Reads and writes of the ad-server entities and the export id map. */
export class AdServerStore {
  constructor(private readonly db: DataSource) {}

  async get(id: string, db: DataSource | EntityManager = this.db): Promise<AdServerRow | undefined> {
    const [r] = await db.query(`SELECT * FROM ${T} WHERE id = $1`, [id]);
    return r && toRow(r);
  }

  async list(type: AdServerType, status?: EntityStatus): Promise<AdServerRow[]> {
    const rows = await this.db.query(`SELECT * FROM ${T} WHERE type = $1 AND ($2::text IS NULL OR status = $2) ORDER BY created_at, id`, [type, status ?? null]);
    return rows.map(toRow);
  }

  async insertLocal(type: AdServerType, name: string | null, fields: object, refs: object): Promise<AdServerRow> {
    const [r] = await this.db.query(
      `INSERT INTO ${T} (id, type, status, name, fields, refs, created_at, updated_at) VALUES ($1, $2, 'local', $3, $4, $5, now(), now()) RETURNING *`,
      [uuidv7(), type, name, JSON.stringify(fields), JSON.stringify(refs)],
    );
    return toRow(r);
  }

  /** Only local entities change here; returns undefined when the entity is not local (any more). */
  async updateLocal(id: string, name: string | null, fields: object, refs: object): Promise<AdServerRow | undefined> {
    const [rows] = await this.db.query(
      `UPDATE ${T} SET name = $2, fields = $3, refs = $4, updated_at = now() WHERE id = $1 AND status = 'local' RETURNING *`,
      [id, name, JSON.stringify(fields), JSON.stringify(refs)],
    );
    return rows[0] && toRow(rows[0]);
  }

  async deleteLocal(id: string): Promise<boolean> {
    const [, n] = await this.db.query(`DELETE FROM ${T} WHERE id = $1 AND status = 'local'`, [id]);
    return n > 0;
  }

  async dependents(id: string): Promise<number> {
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM ${T} t WHERE EXISTS (SELECT 1 FROM jsonb_each_text(t.refs) r WHERE r.value = $1)`, [id]);
    return n;
  }

  async recordFailure(id: string, error: SyncError): Promise<void> {
    await this.db.query(
      `UPDATE ${T} SET sync_errors = (SELECT COALESCE(jsonb_agg(e ORDER BY i), '[]') FROM (SELECT e, i FROM jsonb_array_elements(sync_errors || $2::jsonb) WITH ORDINALITY x(e, i) ORDER BY i DESC LIMIT ${MAX_SYNC_ERRORS}) y),
       last_sync_attempt = now(), updated_at = now() WHERE id = $1`,
      [id, JSON.stringify([error])],
    );
  }

  async idMapEntry(localId: string): Promise<IdMapEntry | undefined> {
    const [r] = await this.db.query('SELECT * FROM connectors.adserver_id_map WHERE local_id = $1', [localId]);
    return r && { localId: r.local_id, marker: r.marker, sentName: r.sent_name, remotePath: r.remote_path, remoteId: r.remote_id };
  }

  /** The export intent, committed before the create call it announces. */
  async recordIntent(localId: string, type: AdServerType, sentName: string | null, remotePath: RemotePath): Promise<void> {
    await this.db.query(
      `INSERT INTO connectors.adserver_id_map (local_id, type, marker, sent_name, remote_path, intended_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (local_id) DO UPDATE SET marker = excluded.marker, sent_name = excluded.sent_name, remote_path = excluded.remote_path, intended_at = now()`,
      [localId, type, uuidv7(), sentName, JSON.stringify(remotePath)],
    );
  }

  /** The create was answered and refused: nothing was written, so a later run must not look for it. */
  async dropIntent(localId: string): Promise<void> {
    await this.db.query('DELETE FROM connectors.adserver_id_map WHERE local_id = $1 AND remote_id IS NULL', [localId]);
  }

  /** The id map entry and the entity's synced state, together. */
  async markSynced(localId: string, remoteId: string, name: string | null): Promise<void> {
    await this.db.transaction(async (tx) => {
      // An import may have brought the entity in already (run after a crash, before this rerun): the local row takes its place.
      const [gone] = await tx.query(`DELETE FROM ${T} WHERE type = (SELECT type FROM ${T} WHERE id = $1) AND remote_id = $2 RETURNING id`, [localId, remoteId]);
      for (const { id } of gone) {
        await tx.query(`UPDATE ${T} SET refs = (SELECT jsonb_object_agg(key, CASE WHEN value = to_jsonb($1::text) THEN to_jsonb($2::text) ELSE value END) FROM jsonb_each(refs))
          WHERE EXISTS (SELECT 1 FROM jsonb_each_text(refs) r WHERE r.value = $1)`, [id, localId]);
      }
      await tx.query('UPDATE connectors.adserver_id_map SET remote_id = $2, mapped_at = now() WHERE local_id = $1', [localId, remoteId]);
      await tx.query(`UPDATE ${T} SET status = 'synced', remote_id = $2, name = $3, synced_at = now(), last_sync_attempt = now(), updated_at = now() WHERE id = $1`, [
        localId, remoteId, name,
      ]);
    });
  }

  async idMap(): Promise<{ localId: string; type: string; remoteId: string | null }[]> {
    const rows = await this.db.query('SELECT local_id, type, remote_id FROM connectors.adserver_id_map ORDER BY local_id');
    return rows.map((r: any) => ({ localId: r.local_id, type: r.type, remoteId: r.remote_id }));
  }
}
