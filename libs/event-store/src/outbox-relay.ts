import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { eventSubject, type BoundedContext } from '@ripple/contracts';
import type { Broker } from '@ripple/messaging';
import type { JsonLogger, RippleMetrics } from '@ripple/observability';
import { rowToEnvelope, type EventRow } from './event-store';
import { outboxChannel, quoteIdent } from './schema';

export interface OutboxRelayOptions {
  schema: string;
  context: BoundedContext;
  namespace: string;
  /** Connection string for the LISTEN connection. */
  databaseUrl: string;
  batchSize?: number;
  /** Fallback poll when a notification is missed (e.g. LISTEN connection down). */
  pollIntervalMs?: number;
}

/**
 * Publishes committed events to JetStream with Nats-Msg-Id = event id and marks
 * them published only after the PubAck. One relay per schema is active at a time
 * (transaction-scoped advisory lock), so publish order follows commit order for
 * every aggregate. A crash between PubAck and the mark leads to a republish that
 * the broker drops as a duplicate (and consumers ignore by version anyway).
 */
export class OutboxRelay {
  private readonly table: string;
  private readonly lockKey: string;
  private listener?: Client;
  private wake?: () => void;
  private running = false;
  /** Set by a notification that arrived while a batch was in flight. */
  private notified = false;
  private loop?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly broker: Broker,
    private readonly opts: OutboxRelayOptions,
    private readonly metrics: RippleMetrics,
    private readonly logger: JsonLogger,
  ) {
    this.table = `${quoteIdent(opts.schema)}.events`;
    this.lockKey = `ripple-outbox:${opts.schema}`;
  }

  async start(): Promise<void> {
    this.running = true;
    await this.listen();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }

  /** Publishes one batch; returns how many events it published (0 if another relay holds the lock). */
  async publishBatch(): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const [{ locked }] = await tx.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [this.lockKey]);
      if (!locked) return 0;
      const rows: (EventRow & { position: string })[] = await tx.query(
        `SELECT * FROM ${this.table} WHERE published_at IS NULL ORDER BY position LIMIT $1`,
        [this.opts.batchSize ?? 500],
      );
      if (rows.length === 0) return 0;
      const acks = rows.map((r) => {
        const e = rowToEnvelope(r);
        const subject = eventSubject(this.opts.namespace, this.opts.context, e.aggregateType, e.aggregateId, e.type);
        return this.broker.js.publish(subject, JSON.stringify(e), { msgID: e.id, timeout: 10_000 });
      });
      await Promise.all(acks);
      await tx.query(`UPDATE ${this.table} SET published_at = now() WHERE position = ANY($1::bigint[])`, [rows.map((r) => r.position)]);
      this.metrics.eventsPublished.inc(rows.length);
      return rows.length;
    });
  }

  async backlog(): Promise<number> {
    const [{ n }] = await this.dataSource.query(`SELECT count(*)::int AS n FROM ${this.table} WHERE published_at IS NULL`);
    return n;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        this.notified = false;
        const n = await this.publishBatch();
        failures = 0;
        // A full batch may have left more behind; a partial one took everything committed
        // before it started, and anything committed since has notified (sleep returns at once).
        if (n === (this.opts.batchSize ?? 500)) continue;
        this.metrics.outboxBacklog.set(await this.backlog());
        await this.sleep(this.opts.pollIntervalMs ?? 1000);
      } catch (err) {
        failures++;
        const delay = Math.min(100 * 2 ** failures, 10_000);
        this.logger.event('warn', 'outbox relay failed; retrying', { error: (err as Error).message, retryInMs: delay });
        await this.sleep(delay);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.notified || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.opts.databaseUrl });
    client.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    client.on('error', (err) => {
      this.logger.event('warn', 'outbox LISTEN connection lost; polling until it is back', { error: err.message });
      this.listener = undefined;
      if (this.running) setTimeout(() => this.listen().catch(() => undefined), 1000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(outboxChannel(this.opts.schema))}`);
      this.listener = client;
    } catch (err) {
      this.logger.event('warn', 'outbox LISTEN unavailable; polling', { error: (err as Error).message });
      if (this.running) setTimeout(() => this.listen().catch(() => undefined), 1000).unref();
    }
  }
}
