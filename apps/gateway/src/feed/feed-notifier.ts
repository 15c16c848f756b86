import { Listener, wakeLocally } from '@ripple/event-store';
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
 * instance (a Listener). A notification only says "look again"; readers always
 * read the database, and every (re)connection and a slow poll cover
 * notifications lost while no connection listened. This
 * instance's own commits reach the hub in-process with their rows (no read),
 * and their notification, which other instances need, is then skipped here.
 */
export class FeedNotifier {
  private readonly pgListener: Listener;
  private poll?: NodeJS.Timeout;
  private unwakeLocally?: () => void;

  constructor(private readonly opts: { databaseUrl: string; pollMs: number; logger: JsonLogger }, private readonly listener: FeedListener) {
    this.pgListener = new Listener({ databaseUrl: opts.databaseUrl, applicationName: 'ripple-gateway-listen', who: 'feed listener', logger: opts.logger, reconnected: () => this.wake() })
      .on(FEED_CHANNEL, (payload) => this.listener.announced(upToOf(payload)));
  }

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
    await this.pgListener.start();
    if (this.pgListener.listening) this.wake();
  }

  async stop(): Promise<void> {
    this.unwakeLocally?.();
    clearInterval(this.poll);
    await this.pgListener.close();
  }
}
