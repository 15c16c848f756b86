import type { FeedRow } from '../feed/feed-reader';

export interface DataChange {
  type: 'data_change';
  changeType: string;
  tableName: string;
  aggregate: string;
  recordId: string;
  /** The record's version after this change, as REST answers give it: merge only what is newer than what you hold. */
  version: number;
  operation: string;
  eventType: string;
  eventId: string;
  data: unknown;
  /** True when `data` exceeded the message limit and was left out: fetch the record instead. */
  truncated?: boolean;
  timestamp: number;
}

export type ResetReason = 'cursor_invalid' | 'cursor_unknown' | 'feed_rebuilt' | 'too_old';
export type CloseReason = 'slow_consumer' | 'token_expired' | 'token_revoked' | 'shutting_down';

/** Everything the server sends on SSE and WebSocket alike; `cursor` is also the SSE `id`. */
export type SyncMessage =
  | { type: 'connected'; userId: string; cursor: string; resumed: boolean; heartbeatMs: number; timestamp: number }
  | { type: 'reset'; reason: ResetReason; cursor: string; timestamp: number }
  | (DataChange & { cursor: string })
  | { type: 'heartbeat'; timestamp: number }
  | { type: 'closing'; reason: CloseReason; cursor: string; timestamp: number }
  | { type: 'error'; code: string; message: string; timestamp: number };

export function dataChangeOf(row: FeedRow, maxDataBytes: number): DataChange {
  const change: DataChange = {
    type: 'data_change',
    changeType: row.changeType,
    tableName: row.tableName,
    aggregate: row.changeType,
    recordId: row.recordId,
    version: row.aggregateVersion,
    operation: row.operation,
    eventType: row.eventType,
    eventId: row.eventId,
    data: row.data,
    timestamp: Date.parse(row.occurredAt),
  };
  if (Buffer.byteLength(JSON.stringify(row.data)) > maxDataBytes) return { ...change, data: null, truncated: true };
  return change;
}

/**
 * A message encoded once and written as is to every connection it goes to:
 * SSE `id: <cursor>` + one `data:` line, or one WebSocket text frame with
 * `id` = the cursor. Both transports carry the cursor as the resume id, except
 * on `closing` (its cursor is for reconnecting, not a position reached).
 */
export class Frame {
  private sseBytes?: Buffer;
  private wsBytes?: Buffer;

  private constructor(readonly type: SyncMessage['type'], private readonly json: string, private readonly id: string | undefined) {}

  static of(message: SyncMessage): Frame {
    return new Frame(message.type, JSON.stringify(message), 'cursor' in message && message.type !== 'closing' ? message.cursor : undefined);
  }

  /** A data_change from the change's JSON (the same for every user) and one user's cursor: `{ ...change, cursor }`. */
  static dataChange(changeJson: string, cursor: string): Frame {
    return new Frame('data_change', `${changeJson.slice(0, -1)},"cursor":${JSON.stringify(cursor)}}`, cursor);
  }

  get sse(): Buffer {
    this.sseBytes ??= Buffer.from(`${this.id === undefined ? '' : `id: ${this.id}\n`}data: ${this.json}\n\n`);
    return this.sseBytes;
  }

  get ws(): Buffer {
    this.wsBytes ??= Buffer.from(this.id === undefined ? this.json : `${this.json.slice(0, -1)},"id":${JSON.stringify(this.id)}}`);
    return this.wsBytes;
  }
}

/**
 * Encodes changes for delivery, each change's JSON once and each (change, user)
 * frame once: a user's connections all get the same cursor and the same bytes.
 * Lives for one wake of the hub, so it only ever holds what that wake sent.
 */
export class ChangeFrames {
  private readonly changes = new Map<number, string>();
  private readonly frames = new Map<string, Frame>();

  constructor(private readonly maxDataBytes: number, private readonly cursor: (userId: string, position: number) => string) {}

  frame(userId: string, row: FeedRow): Frame {
    const key = `${row.position}\n${userId}`;
    let frame = this.frames.get(key);
    if (frame === undefined) {
      let json = this.changes.get(row.position);
      if (json === undefined) this.changes.set(row.position, (json = JSON.stringify(dataChangeOf(row, this.maxDataBytes))));
      frame = Frame.dataChange(json, this.cursor(userId, row.position));
      this.frames.set(key, frame);
    }
    return frame;
  }
}
