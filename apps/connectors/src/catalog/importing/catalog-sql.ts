import type { CatalogEntity } from '../catalog-entities';
import type { Version } from './version-plan';

export const SCHEMA = 'connectors';
const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

/**
 * The staged pages of one run, unpacked server-side: records never travel back
 * to Node. An incremental run's pages also hold tombstones (`deleted: true`) of removed records.
 */
function stagedRecords(e: CatalogEntity): string {
  const shape = [...e.columns.map((c) => `${q(c.source)} ${c.type}`), '"deleted" boolean'].join(', ');
  return `${SCHEMA}.${e.name}_json j CROSS JOIN LATERAL jsonb_to_recordset(j.records) AS r(${shape}) WHERE j.run_id = $1`;
}

const LIVE = 'r."deleted" IS NOT TRUE';

/** One multi-row INSERT ... SELECT per entity: the whole entity in a single statement. */
export function transformSql(e: CatalogEntity, target: Version): string {
  const cols = e.columns.map((c) => c.column).join(', ');
  const values = e.columns.map((c) => `r.${q(c.source)}`).join(', ');
  return `INSERT INTO ${SCHEMA}.${e.name}_v${target} (${cols}) SELECT ${values} FROM ${stagedRecords(e)} AND ${LIVE}`;
}

/** An incremental run starts its version as a copy of the active one (the tables have the same columns, in the same order). */
export function copyVersionSql(e: CatalogEntity, from: Version, to: Version): string {
  return `INSERT INTO ${SCHEMA}.${e.name}_v${to} SELECT * FROM ${SCHEMA}.${e.name}_v${from}`;
}

/** Then drops every row the run fetched again (changed, or removed upstream): transformSql writes the changed ones back. */
export function deleteRefetchedSql(e: CatalogEntity, target: Version): string {
  const keys = e.key.map((k) => `r.${q(e.columns.find((c) => c.column === k)!.source)} AS ${k}`).join(', ');
  const on = e.key.map((k) => `t.${k} = s.${k}`).join(' AND ');
  return `DELETE FROM ${SCHEMA}.${e.name}_v${target} t USING (SELECT ${keys} FROM ${stagedRecords(e)}) s WHERE ${on}`;
}

const keyOf = (e: CatalogEntity, alias: string) => e.key.map((k) => `${alias}.${k}`).join(` || ':' || `);

/** Staged records missing a required field: how many, and a few of their ids (or positions). */
export function missingRequiredSql(e: CatalogEntity): string {
  const required = e.columns.filter((c) => c.required);
  const test = required.map((c) => `r.${q(c.source)} IS NULL`).join(' OR ');
  const label = e.key.map((k) => `coalesce(r.${q(e.columns.find((c) => c.column === k)!.source)}::text, '?')`).join(` || ':' || `);
  const which = required.map((c) => `CASE WHEN r.${q(c.source)} IS NULL THEN '${c.source}' END`).join(', ');
  return `SELECT count(*)::int AS n, (array_agg(${label} || ' lacks ' || concat_ws('/', ${which})))[1:5] AS sample FROM ${stagedRecords(e)} AND ${LIVE} AND (${test})`;
}

/** Rows of the new version pointing at a row the new version does not have. */
export function danglingReferencesSql(e: CatalogEntity, target: Version): string[] {
  return e.columns
    .filter((c) => c.references)
    .map((c) => {
      const parent = `${SCHEMA}.${c.references}_v${target}`;
      return `SELECT '${c.column} -> ${c.references}' AS ref, count(*)::int AS n, (array_agg(${keyOf(e, 'x')} || ' -> ' || x.${c.column}))[1:5] AS sample
        FROM ${SCHEMA}.${e.name}_v${target} x WHERE x.${c.column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${parent} p WHERE p.id = x.${c.column})`;
    });
}

/** Ids added, changed (any column differs) and removed between two versions of one entity. */
export function diffSql(e: CatalogEntity, next: Version, previous: Version | null): string {
  if (previous === null) return `SELECT ${keyOf(e, 'n')} AS id, 'added' AS change FROM ${SCHEMA}.${e.name}_v${next} n ORDER BY 1`;
  const on = e.key.map((k) => `n.${k} = o.${k}`).join(' AND ');
  const firstKey = e.key[0];
  return `SELECT coalesce(${keyOf(e, 'n')}, ${keyOf(e, 'o')}) AS id,
      CASE WHEN o.${firstKey} IS NULL THEN 'added' WHEN n.${firstKey} IS NULL THEN 'removed' ELSE 'changed' END AS change
    FROM ${SCHEMA}.${e.name}_v${next} n FULL JOIN ${SCHEMA}.${e.name}_v${previous} o ON ${on}
    WHERE o.${firstKey} IS NULL OR n.${firstKey} IS NULL OR to_jsonb(n) IS DISTINCT FROM to_jsonb(o) ORDER BY 1`;
}

/** Keeps the staged pages of the newest `keep` runs of one entity. */
export function pruneStagedSql(e: CatalogEntity, keep: number): string {
  return `DELETE FROM ${SCHEMA}.${e.name}_json WHERE run_id NOT IN (
    SELECT run_id FROM ${SCHEMA}.${e.name}_json GROUP BY run_id ORDER BY max(fetched_at) DESC LIMIT ${Math.trunc(keep)})`;
}
