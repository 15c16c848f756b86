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

/** One immutable snapshot per change: the same object until something changes (safe with useSyncExternalStore). */
export interface SyncStatus {
  readonly state: SyncState;
  readonly queueSize: number;
  readonly failed: readonly FailedOperation[];
  readonly failedCount: number;
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

/** An operation the server refused (a 4xx other than a conflict it could resolve): kept until retried or cleared. */
export interface FailedOperation {
  operation: QueuedOperation;
  status: number;
  body: unknown;
  failedAt: number;
}

/** What became of a queued operation: reported as it happens, for UIs that follow their own edits. */
export type OperationOutcome =
  | { kind: 'sent'; operation: QueuedOperation; status: number; body: unknown }
  | { kind: 'failed'; operation: QueuedOperation; status: number; body: unknown }
  /** The server answered 409; the conflict handler's resolution follows (the operation is retried or dropped). */
  | { kind: 'conflict'; operation: QueuedOperation; error: unknown; serverState: unknown; resolution: 'retry' | 'drop' }
  | { kind: 'dropped'; operation: QueuedOperation };
