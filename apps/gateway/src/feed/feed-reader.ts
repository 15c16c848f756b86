import type { DataSource } from 'typeorm';

/** Whose feed: a user's, or an admin's (every change). */
export interface FeedViewer {
  userId: string;
  admin: boolean;
}

export interface FeedRow {
  position: number;
  eventId: string;
  changeType: string;
  tableName: string;
  recordId: string;
  /** The aggregate's version after this event: what REST answers carry as `version`. */
  aggregateVersion: number;
  eventType: string;
  operation: string;
  data: unknown;
  occurredAt: string;
  recordedAt: Date;
  /** The feed write's span, when the gateway that wrote it traced: never sent to clients. */
  traceparent?: string;
}

const toRow = (r: Record<string, any>): FeedRow => ({
  position: Number(r.position),
  eventId: r.event_id,
  changeType: r.change_type,
  tableName: r.table_name,
  recordId: r.aggregate_id,
  aggregateVersion: r.aggregate_version,
  eventType: r.event_type,
  operation: r.operation,
  data: r.data,
  occurredAt: new Date(r.occurred_at).toISOString(),
  recordedAt: new Date(r.recorded_at),
  traceparent: r.traceparent ?? undefined,
});

/**
 * Changes after the position a reader asked from were pruned (the feed's window
 * moved past it while the client caught up): it must be reset, never skip them.
 */
export class FeedPrunedError extends Error {
  readonly code = 'FEED_PRUNED';
  constructor(readonly after: number, readonly prunedThrough: number) {
    super(`changes after ${after} were pruned (through ${prunedThrough})`);
  }
}

const COLUMNS = 'c.position, c.event_id, c.change_type, c.table_name, c.aggregate_id, c.aggregate_version, c.event_type, c.operation, c.data, c.occurred_at, c.recorded_at, c.traceparent';

/**
 * Reads a user's feed from PostgreSQL, the only source of truth: the changes
 * whose audience holds the user (an admin's feed is every change). Feed writers
 * serialize on an advisory lock held to commit, so a position is visible only
 * once every lower position is: `position > cursor` never skips.
 */
export class FeedReader {
  private epochCache?: string;

  constructor(private readonly db: DataSource) {}

  async epoch(): Promise<string> {
    this.epochCache ??= (await this.db.query('SELECT epoch FROM gateway.feed_meta'))[0].epoch as string;
    return this.epochCache;
  }

  async head(): Promise<number> {
    const [row] = await this.db.query('SELECT coalesce(max(position), 0) AS head FROM gateway.changes');
    return Number(row.head);
  }

  /** The head, and the highest position pruned (changes at or below it are gone), in one round trip. */
  async bounds(): Promise<{ head: number; prunedThrough: number }> {
    const [row] = await this.db.query(
      'SELECT (SELECT coalesce(max(position), 0) FROM gateway.changes) AS head, (SELECT pruned_through FROM gateway.feed_meta) AS pruned',
    );
    return { head: Number(row.head), prunedThrough: Number(row.pruned) };
  }

  /** Every change after `after` with the users it is for: what a FeedTail shares among sessions. */
  async readAll(after: number, limit: number): Promise<{ row: FeedRow; audience: string[] }[]> {
    const rows = await this.db.query(
      `SELECT ${COLUMNS}, coalesce((SELECT array_agg(a.user_id::text) FROM gateway.change_audience a WHERE a.position = c.position), '{}') AS audience
       FROM gateway.changes c WHERE c.position > $1 ORDER BY c.position LIMIT $2`,
      [after, limit],
    );
    return rows.map((r: Record<string, any>) => ({ row: toRow(r), audience: r.audience as string[] }));
  }

  /**
   * A page of the user's feed after `after`. Read in one statement with the feed's
   * pruned-through mark, so in one snapshot: the pruner raises the mark before it
   * deletes, so the page is complete unless the mark says it is not (FeedPrunedError).
   */
  async read({ userId, admin }: FeedViewer, after: number, limit: number): Promise<FeedRow[]> {
    const [page, params] = admin
      ? [`SELECT ${COLUMNS} FROM gateway.changes c WHERE c.position > $1 ORDER BY c.position LIMIT $2`, [after, limit]]
      : [
          `SELECT ${COLUMNS} FROM gateway.change_audience a JOIN gateway.changes c ON c.position = a.position
           WHERE a.user_id = $3 AND a.position > $1 ORDER BY a.position LIMIT $2`,
          [after, limit, userId],
        ];
    const rows: Record<string, any>[] = await this.db.query(`SELECT m.pruned_through, p.* FROM gateway.feed_meta m LEFT JOIN LATERAL (${page}) p ON true ORDER BY p.position`, params);
    const prunedThrough = Number(rows[0].pruned_through);
    if (prunedThrough > after) throw new FeedPrunedError(after, prunedThrough);
    return rows.filter((r) => r.position !== null).map(toRow);
  }
}
