/** What the gateway sends over SSE and WebSocket (see apps/gateway sync-messages). */
export interface DataChange<TData = unknown> {
  type: 'data_change';
  changeType: string;
  tableName: string;
  aggregate: string;
  recordId: string;
  /** The record's version after this change (REST answers carry the same `version`): merge only what is newer. */
  version: number;
  operation: 'INSERT' | 'UPDATE' | 'DELETE';
  eventType: string;
  eventId: string;
  data: TData;
  truncated?: boolean;
  timestamp: number;
  cursor: string;
}

export type ServerMessage =
  | { type: 'connected'; userId: string; cursor: string; resumed: boolean; heartbeatMs: number }
  | { type: 'reset'; reason: string; cursor: string }
  | DataChange
  | { type: 'heartbeat' }
  | { type: 'closing'; reason: string; cursor: string }
  | { type: 'error'; code: string; message: string };

export type SyncState = 'connecting' | 'live' | 'syncing' | 'offline';

export interface SyncStatus {
  state: SyncState;
  queueSize: number;
  failed: FailedOperation[];
}

export interface QueuedOperation {
  id: string;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Where to read the record's current state when the server answers 409. */
  statePath?: string;
  idempotencyKey: string;
  enqueuedAt: number;
}

export interface FailedOperation {
  operation: QueuedOperation;
  status: number;
  body: unknown;
}
