import type { ServerResponse } from 'node:http';
import type { Frame } from './sync-messages';
import type { SyncSink } from './sync-session';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // Proxies such as nginx would otherwise buffer the stream.
  'x-accel-buffering': 'no',
};

/** Server-Sent Events: one `data:` line per message, default event type, `id:` = the resume cursor. */
export class SseSink implements SyncSink {
  readonly transport = 'sse' as const;

  constructor(private readonly res: ServerResponse) {}

  send(frame: Frame): void {
    this.res.write(frame.sse);
  }

  queuedBytes(): number {
    return this.res.writableLength;
  }

  end(): void {
    this.res.end();
  }
}
