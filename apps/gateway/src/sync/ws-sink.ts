import type { WebSocket } from 'ws';
import type { CloseReason, Frame } from './sync-messages';
import type { SyncSink } from './sync-session';

const TEXT = { binary: false };
const CLOSE_CODES: Record<CloseReason, number> = { token_expired: 4001, slow_consumer: 4002, token_revoked: 4003, shutting_down: 1001 };

/** WebSocket: one JSON text frame per message, with `id` = the resume cursor like SSE's. */
export class WsSink implements SyncSink {
  readonly transport = 'ws' as const;

  constructor(private readonly ws: WebSocket) {}

  send(frame: Frame): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(frame.ws, TEXT);
  }

  queuedBytes(): number {
    return this.ws.bufferedAmount;
  }

  end(reason?: CloseReason): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(reason ? CLOSE_CODES[reason] : 1011, reason ?? 'feed unavailable');
  }
}
