import type { DataSource, EntityManager } from 'typeorm';

/** A live table and the shadow that replaces it (both qualified), and the live table's bare name. */
export interface ShadowSwap {
  live: string;
  shadow: string;
  name: string;
}

/**
 * Puts each shadow in its live table's place, in the caller's transaction: the
 * sequences the live table owns become the shadow's, the live table is dropped,
 * the shadow takes its name, and the shadow's indexes take the names the live
 * table's had. Two round trips whatever the number of tables: one read of the
 * catalog, then every statement at once (a caller holding its writers off pays
 * for each round trip while they wait).
 *
 * Sequences: a serial column's sequence is owned by the live table, and the
 * shadow's copied default (LIKE ... INCLUDING ALL) draws from that same
 * sequence, so dropping the live table would fail ("other objects depend on it").
 *
 * Index names: `LIKE ... INCLUDING ALL` names the shadow's after the shadow, and
 * code that tells a unique violation by its constraint's name (`users_email_key`)
 * must read the same after a replay. Renaming an index renames the constraint it
 * backs. Indexes are matched by definition (method, columns, predicate,
 * uniqueness); one whose definition the live table has twice keeps its name.
 */
export async function swapInShadows(tx: EntityManager, schema: string, swaps: readonly ShadowSwap[]): Promise<void> {
  if (swaps.length === 0) return;
  const rows: { i: number; kind: 'live' | 'shadow' | 'sequence'; name: string; detail: string }[] = await tx.query(
    `WITH t AS (SELECT live::regclass AS live, shadow::regclass AS shadow, i::int FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(live, shadow, i))
     SELECT t.i, w.kind, c.relname AS name,
            ix.indisprimary || '/' || ix.indisunique || '/' || regexp_replace(pg_get_indexdef(ix.indexrelid), '^.*? USING ', '') AS detail
       FROM t CROSS JOIN LATERAL (VALUES ('live', t.live), ('shadow', t.shadow)) AS w(kind, rel)
       JOIN pg_index ix ON ix.indrelid = w.rel JOIN pg_class c ON c.oid = ix.indexrelid
     UNION ALL
     SELECT t.i, 'sequence', s.oid::regclass::text, a.attname
       FROM t JOIN pg_depend d ON d.refobjid = t.live AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'
       JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
       JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid`,
    [swaps.map((s) => s.live), swaps.map((s) => s.shadow)],
  );
  const statements = swaps.flatMap(({ live, shadow, name }, index) => {
    const of = (kind: string) => rows.filter((r) => r.i === index + 1 && r.kind === kind);
    const byDefinition = new Map<string, string | null>();
    for (const { name: liveIndex, detail } of of('live')) byDefinition.set(detail, byDefinition.has(detail) ? null : liveIndex);
    return [
      ...of('sequence').map((s) => `ALTER SEQUENCE ${s.name} OWNED BY ${shadow}.${quoted(s.detail)}`),
      `DROP TABLE ${live}`,
      `ALTER TABLE ${shadow} RENAME TO ${quoted(name)}`,
      // Once the live table is dropped, its index names are free.
      ...of('shadow').flatMap(({ name: shadowIndex, detail }) => {
        const target = byDefinition.get(detail);
        return target && target !== shadowIndex ? [`ALTER INDEX ${quoted(schema)}.${quoted(shadowIndex)} RENAME TO ${quoted(target)}`] : [];
      }),
    ];
  });
  // Without parameters, one simple query: every statement in one round trip, in this transaction.
  await tx.query(statements.join(';\n'));
}

/** An identifier quoted whatever it holds (event-store's quoteIdent refuses all but plain lower-case names; index names come from the catalog). */
const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** How long a swap's lock may wait by default before it is given up and tried again. */
const DEFAULT_LOCK_TIMEOUT_MS = 2000;
const LOCK_ATTEMPTS = 30;
/** PostgreSQL's lock_not_available: lock_timeout ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

/** How `withBoundedLockWait` runs its attempts. */
export interface BoundedLockWait {
  /** Names the table in the error thrown once every attempt failed. */
  what: string;
  /** How long each lock may wait (default 2 s); a failed attempt waits as long again before the next. */
  lockTimeoutMs?: number;
  /** Runs before each attempt, outside its transaction (a rebuild catches up here). */
  before?: () => Promise<void>;
}

/**
 * Runs `locked` in a transaction in which each lock waits at most `lockTimeoutMs`. A lock not
 * granted in time rolls the transaction back; after as long again, `before` and the transaction
 * run once more, up to LOCK_ATTEMPTS times. For the end of a blue/green rebuild: the writers of
 * a table (and, at the swap's DROP, its readers) queue behind a lock that waits, so while a long
 * transaction holds the live table they would all wait with it, each holding a connection of its
 * app's pool; this lets them through between attempts.
 */
export async function withBoundedLockWait<T>(dataSource: DataSource, { what, lockTimeoutMs, before }: BoundedLockWait, locked: (tx: EntityManager) => Promise<T>): Promise<T> {
  const timeout = Math.max(1, Math.round(lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS));
  for (let attempt = 1; ; attempt++) {
    await before?.();
    try {
      return await dataSource.transaction(async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = ${timeout}`);
        return locked(tx);
      });
    } catch (err) {
      if ((err as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw err;
      if (attempt === LOCK_ATTEMPTS) throw new Error(`${what} stayed locked by other transactions through ${LOCK_ATTEMPTS} attempts of ${timeout} ms; the live table is as it was`);
      await new Promise((resolve) => setTimeout(resolve, timeout));
    }
  }
}
