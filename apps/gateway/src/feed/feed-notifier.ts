import { Client } from 'pg';
import type { JsonLogger } from '@ripple/observability';
import { FEED_CHANNEL } from './feed-sources';

/**
 * Wakes this instance's readers when a feed transaction commits, on any
 * instance: LISTEN on a dedicated connection, re-established after a loss.
 * A notification only says "look again"; readers always read the database,
 * and a slow poll covers notifications lost while reconnecting.
 */
export class FeedNotifier {
  private client?: Client;
  private stopped = false;
  private poll?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;

  constructor(private readonly opts: { databaseUrl: string; pollMs: number; logger: JsonLogger }, private readonly wake: () => void) {}

  async start(): Promise<void> {
    this.poll = setInterval(this.wake, this.opts.pollMs);
    this.poll.unref();
    await this.listen();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.opts.databaseUrl, application_name: 'ripple-gateway-listen' });
    client.on('notification', () => this.wake());
    client.on('error', (err) => {
      this.opts.logger.event('warn', 'feed listener lost its connection', { error: err.message });
      this.reconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${FEED_CHANNEL}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
      this.wake();
    } catch (err) {
      this.opts.logger.event('warn', 'feed listener could not connect', { error: (err as Error).message });
      await client.end().catch(() => undefined);
      this.reconnect();
    }
  }

  private reconnect(): void {
    if (this.stopped || this.retry) return;
    this.client = undefined;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.listen();
    }, 1000);
  }
}
