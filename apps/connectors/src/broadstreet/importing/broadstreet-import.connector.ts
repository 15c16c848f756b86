import type { DataSource } from 'typeorm';
import type { ConnectorDefinition, FetchContext, FetchedPage, RunConflict, RunInfo } from '../../framework/connector';
import { UpstreamError } from '../../framework/http/upstream.errors';
import { ADSERVER_ENTITIES, ADSERVER_TYPES, TYPE_SPECS, type AdServerType, type RemotePath } from '../adserver-model';
import { remoteIdOf, type BroadstreetApi, type RemoteRecord } from '../broadstreet-api';
import { applyImport } from './apply-import';
import { parentPaths } from './parent-paths';

export const BROADSTREET = 'broadstreet';

export interface ImportConnectorDeps {
  db: DataSource;
  api: BroadstreetApi;
}

type StagedRecord = { path: RemotePath; record: RemoteRecord };

interface ImportPlan {
  entities: readonly string[];
  /** Incremental runs: only the collections under these parents (remote ids, by path key). */
  under: RemotePath;
}

/**
 * Import from Broadstreet (document 004): every collection under every parent is
 * fetched into staging level by level, then the production copy of each imported
 * type is replaced in one transaction, so a failed run changes nothing. An
 * incremental run (document 004's `incrementalSync(entityType, filters)`) fetches
 * only the collections under the parents its filters name, upserts what it
 * fetched without clearing anything, and lists the conflicts it found.
 */
export function broadstreetImportConnector(deps: ImportConnectorDeps): ConnectorDefinition<ImportPlan> {
  const { db, api } = deps;
  const plans = new Map<string, ImportPlan>();
  return {
    name: BROADSTREET,
    entities: ADSERVER_ENTITIES,

    async prepare(run: RunInfo) {
      // Runs never overlap (the lock), so whatever another run staged was left by one that failed or died.
      plans.clear();
      await db.query('DELETE FROM connectors.adserver_import_staging WHERE run_id <> $1', [run.runId]);
      const plan = { entities: run.entities, under: await remoteFilters(db, run.filters ?? {}) };
      plans.set(run.runId, plan);
      return plan;
    },

    async *fetch(entity: string, ctx: FetchContext): AsyncIterable<FetchedPage> {
      const type = entity as AdServerType;
      const plan = plans.get(ctx.runId)!;
      const paths = (await parentPaths(db, type, ctx.runId, plan.entities)).filter((p) => Object.entries(plan.under).every(([k, v]) => p[k as keyof RemotePath] === v));
      for (const path of paths) {
        const records = await api.list(type, path, { signal: ctx.signal, onRetry: ctx.onRetry });
        yield { records: records.map((record): StagedRecord => ({ path, record })), total: null };
      }
    },

    async stage(entity: string, page: FetchedPage, _n: number, _plan, run: RunInfo) {
      const type = entity as AdServerType;
      const rows = (page.records as StagedRecord[]).map((r) => ({ remote_id: remoteIdOf(type, r.record, r.path), path: r.path, record: r.record }));
      await db.query(
        `INSERT INTO connectors.adserver_import_staging (run_id, type, remote_id, path, record)
         SELECT $1, $2, x.remote_id, x.path, x.record FROM jsonb_to_recordset($3::jsonb) AS x(remote_id text, path jsonb, record jsonb)
         ON CONFLICT DO NOTHING`,
        [run.runId, type, JSON.stringify(rows)],
      );
    },

    async transform(entity: string, _plan, run: RunInfo) {
      const type = entity as AdServerType;
      if (TYPE_SPECS[type].named) {
        const [bad] = await db.query(
          `SELECT remote_id FROM connectors.adserver_import_staging WHERE run_id = $1 AND type = $2 AND COALESCE(btrim(record->>'name'), '') = '' LIMIT 1`,
          [run.runId, type],
        );
        if (bad) throw new UpstreamError('validation', `${type} ${bad.remote_id} has no name`);
      }
      const [{ n }] = await db.query('SELECT count(*)::int AS n FROM connectors.adserver_import_staging WHERE run_id = $1 AND type = $2', [run.runId, type]);
      return n;
    },

    async complete(plan, run: RunInfo) {
      try {
        run.signal.throwIfAborted();
        const found = new Map<AdServerType, RunConflict[]>();
        await db.transaction(async (tx) => {
          for (const type of ADSERVER_TYPES) {
            if (plan.entities.includes(type)) found.set(type, (await applyImport(tx, type, run.runId, { prune: run.mode === 'full' })).conflicts);
          }
        });
        for (const [type, conflicts] of found) for (const c of conflicts) run.track(type).conflict(c);
      } finally {
        plans.delete(run.runId);
        await db.query('DELETE FROM connectors.adserver_import_staging WHERE run_id = $1', [run.runId]);
      }
    },
  };
}

/** The run's filters (`advertiser_id` → a local id) as the remote ids the API paths hold. */
async function remoteFilters(db: DataSource, filters: Record<string, string>): Promise<RemotePath> {
  const under: RemotePath = {};
  for (const [field, localId] of Object.entries(filters)) {
    const [row] = await db.query('SELECT remote_id FROM connectors.adserver_entities WHERE id = $1 AND remote_id IS NOT NULL', [localId]);
    if (!row) throw new UpstreamError('validation', `${field} ${localId} is not on Broadstreet`);
    under[field.replace(/_id$/, '') as keyof RemotePath] = row.remote_id;
  }
  return under;
}
