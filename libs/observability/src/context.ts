import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request (or per-message) context that every log line carries. */
export interface LogContext {
  correlationId?: string;
  causationId?: string;
  actor?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

export function withLogContext<T>(ctx: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...ctx }, fn);
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}
