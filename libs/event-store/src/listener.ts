import { Client } from 'pg';
import type { JsonLogger } from '@ripple/observability';
import { quoteIdent } from './schema';

export interface ListenerOptions {
  databaseUrl: string;
  /** Shown in pg_stat_activity, so an operator (or a test) can tell the connection apart. */
  applicationName: string;
  /** Who listens, for the log lines (e.g. "outbox relay"). */
  who: string;
  logger: JsonLogger;
  /**
   * Called each time LISTEN is in place again after the connection was lost or
   * could not be made (not when start()'s first attempt succeeds): notifications sent
   * meanwhile never arrive, so catch up on what may have committed.
   */
  reconnected?: () => void;
  /** Wait before connecting again after a loss. */
  retryMs?: number;
}

/**
 * One LISTEN connection for some channels, connected again (and every channel
 * LISTENed again) after a loss. A notification is a wake-up, never the data:
 * handlers read the database, and `reconnected` covers what was sent while no
 * connection listened.
 */
export class Listener {
  private readonly handlers = new Map<string, (payload: string) => void>();
  private client?: Client;
  private closed = false;
  private started = false;
  /** Set while notifications may have been missed: a connection was lost or could not be made. */
  private missed = false;
  private retry?: NodeJS.Timeout;

  constructor(private readonly opts: ListenerOptions) {}

  /** Hands `channel`'s notifications to `handler` (their payload). Call before start(). */
  on(channel: string, handler: (payload: string) => void): this {
    if (this.started) throw new Error(`Listener for ${this.opts.who}: channels are set before start()`);
    quoteIdent(channel);
    this.handlers.set(channel, handler);
    return this;
  }

  /** True while a connection LISTENs. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** NOTIFY on this listener's own connection; false when it has none now (the notification is not sent). */
  async notify(channel: string, payload: string): Promise<boolean> {
    const client = this.client;
    if (!client) return false;
    return client.query(`NOTIFY ${quoteIdent(channel)}, '${payload.replace(/'/g, "''")}'`).then(() => true, () => false);
  }

  /** Connects and LISTENs; when that fails it keeps trying in the background (never throws). */
  async start(): Promise<void> {
    this.started = true;
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.opts.databaseUrl, application_name: this.opts.applicationName, connectionTimeoutMillis: 5000 });
    client.on('notification', (n) => this.handlers.get(n.channel)?.(n.payload ?? ''));
    // 'error' comes for an idle connection; 'end' always, also when a query was in flight.
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query([...this.handlers.keys()].map((c) => `LISTEN ${quoteIdent(c)}`).join('; '));
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
      if (this.missed) {
        this.missed = false;
        this.opts.reconnected?.();
      }
    } catch (err) {
      this.opts.logger.event('warn', `${this.opts.who} cannot reach PostgreSQL to LISTEN; retrying`, { error: (err as Error).message });
      await client.end().catch(() => undefined);
      this.scheduleRetry();
    }
  }

  private lost(client: Client, err: Error): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.opts.logger.event('warn', `${this.opts.who} lost its LISTEN connection; reconnecting`, { error: err.message });
    void client.end().catch(() => undefined);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.missed = true;
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.closed) void this.connect();
    }, this.opts.retryMs ?? 1000);
    this.retry.unref();
  }
}
