import type { DataSource } from 'typeorm';
import type { ConnectorDefinition, FetchContext, FetchedPage, RunInfo } from '../../framework/connector';
import type { UpstreamClient } from '../../framework/http/upstream-client';
import { UpstreamError } from '../../framework/http/upstream.errors';
import { CATALOG_ENTITIES, catalogEntity, type CatalogEntity } from '../catalog-entities';
import { CatalogValidationError } from '../catalog.errors';
import { classifyChanges, type ChangeKind, type EntityChanges } from './change-chunks';
import { copyVersionSql, danglingReferencesSql, deleteRefetchedSql, diffSql, missingRequiredSql, pruneStagedSql, SCHEMA, transformSql } from './catalog-sql';
import type { CatalogVersions } from './catalog-versions';
import { planImport, type ImportPlan } from './version-plan';

export const NOWREPBLUE = 'nowrepblue';
/** Staged raw JSON kept per entity, as the document says. */
const STAGED_VERSIONS_KEPT = 3;

export interface NowRepBlueDeps {
  db: DataSource;
  client: UpstreamClient;
  versions: CatalogVersions;
  pageSize: number;
}

/**
 * NowRepBlue's paged list: `{ data: [...], meta: { page, perPage, total, totalPages, cursor } }`;
 * `cursor` is what `?changed_since=` takes to list only what changed after this answer.
 */
function readPage(body: unknown, where: string): { records: unknown[]; total: number; totalPages: number; cursor?: string } {
  const b = body as { data?: unknown; meta?: { total?: unknown; totalPages?: unknown; cursor?: unknown } };
  if (!Array.isArray(b?.data) || !Number.isInteger(b.meta?.total) || !Number.isInteger(b.meta?.totalPages)) {
    throw new UpstreamError('validation', `${where}: not a page ({ data: [], meta: { total, totalPages } })`);
  }
  const cursor = typeof b.meta!.cursor === 'string' ? b.meta!.cursor : undefined;
  return { records: b.data, total: b.meta!.total as number, totalPages: b.meta!.totalPages as number, cursor };
}

/** PostgreSQL data exceptions (22xxx) and constraint violations (23xxx) mean the staged data is bad, not the database. */
function asValidationError(e: CatalogEntity, err: unknown): unknown {
  const pg = err as { code?: string; message?: string; detail?: string };
  if (typeof pg.code === 'string' && /^2[23]/.test(pg.code)) return new CatalogValidationError(e.name, `${pg.message}${pg.detail ? `: ${pg.detail}` : ''}`);
  return err;
}

/**
 * The catalog import of document 003: stage raw JSON, transform into the next
 * version, validate, switch. An incremental run fetches each entity only as
 * changed since its cursor (where it has one) and builds the next version from
 * the active one with those changes applied; it switches the same way.
 */
export function nowRepBlueConnector(deps: NowRepBlueDeps): ConnectorDefinition<ImportPlan> {
  const { db, client, versions } = deps;
  return {
    name: NOWREPBLUE,
    entities: CATALOG_ENTITIES,

    async prepare() {
      const plan = planImport(await versions.state());
      await versions.beginWriting(plan);
      return plan;
    },

    async *fetch(entity: string, ctx: FetchContext): AsyncIterable<FetchedPage> {
      const e = catalogEntity(entity);
      const since: Record<string, string> = ctx.cursor === null ? {} : { changed_since: ctx.cursor };
      for (let page = 1; ; page++) {
        const body = await client.getJson(`/${e.path}`, { page, per_page: deps.pageSize, ...since }, ctx);
        const p = readPage(body, `GET /${e.path}?page=${page}`);
        // The first page's cursor: whatever changes while later pages are read is fetched again next time.
        yield { records: p.records, total: p.total, cursor: page === 1 ? p.cursor : undefined };
        if (page >= p.totalPages || p.records.length === 0) return;
      }
    },

    async stage(entity: string, page: FetchedPage, pageNumber: number, _plan: ImportPlan, run: RunInfo) {
      await db.query(`INSERT INTO ${SCHEMA}.${entity}_json (run_id, page, fetched_at, records) VALUES ($1, $2, now(), $3::jsonb)`, [
        run.runId, pageNumber, JSON.stringify(page.records),
      ]);
    },

    async staged(entity: string) {
      await db.query(pruneStagedSql(catalogEntity(entity), STAGED_VERSIONS_KEPT));
    },

    async transform(entity: string, plan: ImportPlan, run: RunInfo) {
      const e = catalogEntity(entity);
      const [missing] = await db.query(missingRequiredSql(e), [run.runId]).catch((err) => Promise.reject(asValidationError(e, err)));
      if (missing.n > 0) throw new CatalogValidationError(e.name, `${missing.n} record(s) lack a required field`, missing.sample);
      if (run.since[entity]) {
        // A cursor is saved only by a run that switched, and forgotten by a rollback: there is an active version it belongs to.
        if (plan.previous === null) throw new Error(`${entity} has a cursor but the catalog has no active version`);
        await db.query(copyVersionSql(e, plan.previous, plan.target));
        await db.query(deleteRefetchedSql(e, plan.target), [run.runId]);
      }
      const [{ n }] = await db
        .query(`WITH ins AS (${transformSql(e, plan.target)} RETURNING 1) SELECT count(*)::int AS n FROM ins`, [run.runId])
        .catch((err) => Promise.reject(asValidationError(e, err)));
      for (const sql of danglingReferencesSql(e, plan.target)) {
        const [dangling] = await db.query(sql);
        if (dangling.n > 0) throw new CatalogValidationError(e.name, `${dangling.n} row(s) reference a missing ${dangling.ref}`, dangling.sample);
      }
      await db.query(`ANALYZE ${SCHEMA}.${e.name}_v${plan.target}`);
      return n;
    },

    async complete(plan: ImportPlan, run: RunInfo) {
      const changes = new Map<string, EntityChanges & { rows: number }>();
      for (const e of CATALOG_ENTITIES) {
        const rows: { id: string; change: ChangeKind }[] = await db.query(diffSql(e, plan.target, plan.previous));
        const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.${e.name}_v${plan.target}`);
        changes.set(e.name, { ...classifyChanges(rows), rows: n });
      }
      run.signal.throwIfAborted();
      await versions.switchTo(plan, run.runId, changes);
    },
  };
}
