import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { JsonLogger, RippleMetrics } from '@ripple/observability';

export interface FeedRetentionOptions {
  /** Changes older than this go; 0: no age limit. */
  maxAgeS: number;
  /** At most this many positions are kept below the head; 0: no size limit. */
  maxChanges: number;
  intervalMs: number;
}

/** Rows deleted per statement, so a large first prune never holds long locks. */
const BATCH = 5000;

/**
 * Keeps the change feed to its window (age and size). A pass first raises
 * `feed_meta.pruned_through` to the cut, then deletes the changes at or below
 * it (their audience rows with them): a cursor below the cut gets `reset`
 * too_old rather than resuming past a gap. Runs on every gateway instance; one
 * at a time does the work (advisory lock), the others skip that pass.
 */
export class FeedRetention {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly db: DataSource, private readonly opts: FeedRetentionOptions, metrics: RippleMetrics, private readonly logger: JsonLogger) {
    const registers = [metrics.registry];
    const measure = (read: () => Promise<number>) =>
      async function (this: Gauge) {
        this.set(await read().catch(() => NaN));
      };
    new Gauge({ name: 'ripple_feed_bytes', help: 'On-disk size of the change feed (changes and audiences, with indexes)', registers, collect: measure(() => this.sizeBytes()) });
    new Gauge({ name: 'ripple_feed_changes', help: 'Positions in the change feed\'s window: head minus pruned_through', registers, collect: measure(() => this.windowChanges()) });
  }

  start(): void {
    if (!this.opts.maxAgeS && !this.opts.maxChanges) return;
    this.timer = setInterval(() => void this.prune(), this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass (a pass still running is not doubled); never throws. */
  prune(): Promise<void> {
    return (this.running ??= this.pass()
      .catch((err) => this.logger.event('warn', 'pruning the change feed failed', { error: (err as Error).message }))
      .finally(() => (this.running = undefined)));
  }

  private async pass(): Promise<void> {
    const cut = await this.db.transaction(async (tx) => {
      const [{ locked }] = await tx.query(`SELECT pg_try_advisory_xact_lock(hashtext('ripple-feed-retention')) AS locked`);
      if (!locked) return 0;
      // The lowest position still inside the age window is found walking up from the oldest row:
      // only the rows about to go are read.
      const [{ cut }] = await tx.query(
        `WITH head AS (SELECT coalesce(max(position), 0) AS p FROM gateway.changes)
         SELECT greatest(
           CASE WHEN $1::bigint > 0 THEN (SELECT p FROM head) - $1 ELSE 0 END,
           CASE WHEN $2::int > 0 THEN coalesce(
             (SELECT position - 1 FROM gateway.changes WHERE recorded_at >= now() - make_interval(secs => $2::int) ORDER BY position LIMIT 1),
             (SELECT p FROM head)) ELSE 0 END,
           (SELECT pruned_through FROM gateway.feed_meta)) AS cut`,
        [this.opts.maxChanges, this.opts.maxAgeS],
      );
      await tx.query('UPDATE gateway.feed_meta SET pruned_through = $1 WHERE pruned_through < $1', [cut]);
      return Number(cut);
    });
    let deleted = 0;
    for (;;) {
      // A change's audience goes with it (there is no foreign key to cascade: DropChangeAudienceFk).
      const [{ n }] = await this.db.query(
        `WITH gone AS (DELETE FROM gateway.changes WHERE position IN (SELECT position FROM gateway.changes WHERE position <= $1 ORDER BY position LIMIT ${BATCH}) RETURNING position),
           audience AS (DELETE FROM gateway.change_audience a USING gone WHERE a.position = gone.position)
         SELECT count(*)::int AS n FROM gone`,
        [cut],
      );
      deleted += n;
      if (n < BATCH) break;
    }
    if (deleted) this.logger.event('info', 'change feed pruned', { prunedThrough: cut, deleted });
  }

  private async sizeBytes(): Promise<number> {
    const [{ bytes }] = await this.db.query(`SELECT pg_total_relation_size('gateway.changes') + pg_total_relation_size('gateway.change_audience') AS bytes`);
    return Number(bytes);
  }

  private async windowChanges(): Promise<number> {
    const [{ n }] = await this.db.query('SELECT (SELECT coalesce(max(position), 0) FROM gateway.changes) - (SELECT pruned_through FROM gateway.feed_meta) AS n');
    return Math.max(0, Number(n));
  }
}
