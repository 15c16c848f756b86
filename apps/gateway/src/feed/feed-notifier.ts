import { Client } from 'pg';
import { wakeLocally } from '@ripple/event-store';
import type { JsonLogger } from '@ripple/observability';
import type { CommittedFeedRows } from './feed-batch';
import { FEED_CHANNEL } from './feed-sources';

/** Where the notifier delivers: the hub. */
export interface FeedListener {
  /** Something may have committed: read. */
  wakeAll(): void;
  /** A commit announced by notification, with the position it reached when the payload says. */
  announced(upTo?: number): void;
  /** This instance's own commit, with its rows. */
  offer(rows: CommittedFeedRows['rows'], previous: number): void;
}

/** `<source>:<position>`: the highest position a feed transaction wrote (just `<source>` when it wrote none). */
const upToOf = (payload: string) => {
  const n = Number(payload.slice(payload.lastIndexOf(':') + 1));
  return payload.includes(':') && Number.isSafeInteger(n) ? n : undefined;
};

/**
 * Wakes this instance's readers when a feed transaction commits, on any
 * instance: LISTEN on a dedicated connection, re-established after a loss.
 * A notification only says "look again"; readers always read the database,
 * and a slow poll covers notifications lost while reconnecting. This
 * instance's own commits reach the hub in-process with their rows (no read),
 * and their notification, which other instances need, is then skipped here.
 */
export class FeedNotifier {
  private client?: Client;
  private stopped = false;
  private poll?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private unwakeLocally?: () => void;

  constructor(private readonly opts: { databaseUrl: string; pollMs: number; logger: JsonLogger }, private readonly listener: FeedListener) {}

  private readonly wake = () => this.listener.wakeAll();

  async start(): Promise<void> {
    this.poll = setInterval(this.wake, this.opts.pollMs);
    this.poll.unref();
    this.unwakeLocally = wakeLocally(FEED_CHANNEL, (local) => {
      const written = local as readonly CommittedFeedRows[];
      if (written.length === 0) this.wake();
      for (const w of written) this.listener.offer(w.rows, w.previous);
      return false;
    });
    await this.listen();
  }

  async stop(): Promise<void> {
    this.unwakeLocally?.();
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.opts.databaseUrl, application_name: 'ripple-gateway-listen' });
    client.on('notification', (n) => this.listener.announced(upToOf(n.payload ?? '')));
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
