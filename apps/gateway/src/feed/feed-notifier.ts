import { randomUUID } from 'node:crypto';
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
 * and their notification, which only other instances need, is sent only once
 * another instance is known: each instance says `hello:<id>` on the channel
 * whenever it starts listening, and answers another's hello with `here:<id>`.
 * An instance that hears of a peer notifies from then on (it never goes back);
 * a newcomer reads the database once it listens, so it misses nothing sent
 * before its hello was heard.
 */
export class FeedNotifier {
  private readonly pgListener: Listener;
  private poll?: NodeJS.Timeout;
  private unwakeLocally?: () => void;

  /** Another instance listens on the channel: this one's commits must be notified. */
  private peers = false;
  private readonly id = randomUUID();

  constructor(private readonly opts: { databaseUrl: string; pollMs: number; logger: JsonLogger }, private readonly listener: FeedListener) {
    this.pgListener = new Listener({
      databaseUrl: opts.databaseUrl, applicationName: 'ripple-gateway-listen', who: 'feed listener', logger: opts.logger,
      reconnected: () => {
        this.wake();
        this.sayHello();
      },
    }).on(FEED_CHANNEL, (payload) => this.heard(payload));
  }

  /** True once another instance has been heard of. */
  get hasPeers(): boolean {
    return this.peers;
  }

  private readonly wake = () => this.listener.wakeAll();

  private heard(payload: string): void {
    const peer = /^(hello|here):(.+)$/.exec(payload);
    if (!peer) return this.listener.announced(upToOf(payload));
    if (peer[2] === this.id) return;
    this.peers = true;
    if (peer[1] === 'hello') void this.pgListener.notify(FEED_CHANNEL, `here:${this.id}`);
  }

  private sayHello(): void {
    void this.pgListener.notify(FEED_CHANNEL, `hello:${this.id}`);
  }

  async start(): Promise<void> {
    this.poll = setInterval(this.wake, this.opts.pollMs);
    this.poll.unref();
    this.unwakeLocally = wakeLocally(FEED_CHANNEL, (local) => {
      const written = local as readonly CommittedFeedRows[];
      if (written.length === 0) this.wake();
      for (const w of written) this.listener.offer(w.rows, w.previous);
      return !this.peers;
    });
    await this.pgListener.start();
    if (this.pgListener.listening) {
      this.wake();
      this.sayHello();
    }
  }

  async stop(): Promise<void> {
    this.unwakeLocally?.();
    clearInterval(this.poll);
    await this.pgListener.close();
  }
}
