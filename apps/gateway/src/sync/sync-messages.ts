import type { FeedRow } from '../feed/feed-reader';

export interface DataChange {
  type: 'data_change';
  changeType: string;
  tableName: string;
  aggregate: string;
  recordId: string;
  operation: string;
  eventType: string;
  eventId: string;
  data: unknown;
  /** True when `data` exceeded the message limit and was left out: fetch the record instead. */
  truncated?: boolean;
  timestamp: number;
}

export type ResetReason = 'cursor_invalid' | 'cursor_unknown' | 'feed_rebuilt';
export type CloseReason = 'slow_consumer' | 'token_expired' | 'shutting_down';

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
    operation: row.operation,
    eventType: row.eventType,
    eventId: row.eventId,
    data: row.data,
    timestamp: Date.parse(row.occurredAt),
  };
  if (Buffer.byteLength(JSON.stringify(row.data)) > maxDataBytes) return { ...change, data: null, truncated: true };
  return change;
}
