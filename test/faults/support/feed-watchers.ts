import { sseClient, type FeedClient } from '../../e2e/support/realtime-clients';

/**
 * One SSE client per user on the gateway's change feed, as a browser keeps one:
 * it reconnects by itself with Last-Event-ID, and is opened again from its last
 * cursor if the connection was given up (e.g. a 5xx while the gateway restarted).
 */
export class FeedWatcher {
  private client: FeedClient & { source: { readyState: number } };
  private readonly earlier: any[] = [];
  private timer: NodeJS.Timeout;

  constructor(private readonly baseUrl: string, private readonly token: string) {
    this.client = sseClient(baseUrl, { token });
    this.timer = setInterval(() => this.reopenIfClosed(), 1000);
  }

  /** Every message received, over every connection, in order. */
  messages(): any[] {
    return [...this.earlier, ...this.client.messages];
  }

  close(): void {
    clearInterval(this.timer);
    this.client.close();
  }

  private reopenIfClosed(): void {
    if (this.client.source.readyState !== 2) return;
    const lastEventId = this.client.lastCursor() ?? [...this.earlier].reverse().find((m) => typeof m.cursor === 'string')?.cursor;
    this.earlier.push(...this.client.messages);
    this.client = sseClient(this.baseUrl, { token: this.token, lastEventId });
  }
}
