/** What a test queries with: TypeORM's DataSource (rows back) will do. */
interface Queryable {
  query(sql: string, params: unknown[]): Promise<{ n: number }[]>;
}

/**
 * Ends every session of the current database holding the leader lease `key`
 * (libs/event-store's LeaseKey: a two-key advisory lock), as if that holder's
 * connection died; returns how many it ended.
 */
export async function terminateLeaseHolders(db: Queryable, key: { classid: number; objid: number }): Promise<number> {
  const [{ n }] = await db.query(
    `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = $1 AND objid = $2
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [key.classid, key.objid],
  );
  return n;
}
