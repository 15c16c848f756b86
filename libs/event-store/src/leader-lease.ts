import { Client } from 'pg';
import type { LeaseKey } from './lease-key';

export interface LeaderLeaseOptions {
  databaseUrl: string;
  key: LeaseKey;
  /**
   * Called once when a held lease is lost because its connection died: the
   * server has released the lock and another holder may already have it.
   */
  onLost?: (err: Error) => void;
}

/**
 * One holder at a time across every process: a session advisory lock on a
 * connection of its own (never a pooled one, which would go back to the pool
 * with the lock). If the holder dies, or only its connection does, the server
 * releases the lock and `onLost` says so to a holder still running. The
 * connection stays open between failed tries (a standby tries again on it) and
 * closes on release().
 */
export class LeaderLease {
  private client?: Client;
  private held = false;

  constructor(private readonly opts: LeaderLeaseOptions) {}

  /** True while this lease holds the lock. Read in memory: no round trip. */
  get isLeader(): boolean {
    return this.held;
  }

  /** Takes the lock if no one holds it. Throws when PostgreSQL cannot be reached. */
  tryAcquire(): Promise<boolean> {
    return this.lock('SELECT pg_try_advisory_lock($1, $2) AS locked');
  }

  /** Waits until the lock is free and takes it. Throws when the connection is lost (or release() is called) meanwhile. */
  async acquire(): Promise<void> {
    if (!(await this.lock('SELECT pg_advisory_lock($1, $2), true AS locked'))) throw new Error(`lease ${this.opts.key.text}: connection lost while waiting`);
  }

  /** Lets the lock go (at once, for the next holder) and closes the connection. */
  async release(): Promise<void> {
    const { client, held } = this;
    this.client = undefined;
    this.held = false;
    if (!client) return;
    const { classid, objid } = this.opts.key;
    if (held) await client.query('SELECT pg_advisory_unlock($1, $2)', [classid, objid]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }

  private async lock(sql: string): Promise<boolean> {
    if (this.held) return true;
    try {
      const client = await this.connection();
      const { rows } = await client.query(sql, [this.opts.key.classid, this.opts.key.objid]);
      this.held = rows[0].locked === true && this.client === client;
      return this.held;
    } catch (err) {
      await this.release();
      throw err;
    }
  }

  private async connection(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({ connectionString: this.opts.databaseUrl, application_name: this.opts.key.text.slice(0, 63), connectionTimeoutMillis: 5000 });
    // 'error' comes for an idle connection; 'end' always, also when a query was in flight.
    client.on('error', (err) => this.dropped(client, err));
    client.on('end', () => this.dropped(client, new Error('lease connection ended')));
    this.client = client;
    await client.connect();
    return client;
  }

  private dropped(client: Client, err: Error): void {
    if (client !== this.client) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    if (!this.held) return;
    this.held = false;
    this.opts.onLost?.(err);
  }
}
