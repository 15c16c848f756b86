/** Scenario 5: what the bench and its fan-out load generators (fanout-clients.ts) say to each other over IPC. */

/**
 * The clock every fan-out timestamp is taken with, in every process: the wall
 * clock read once at process start plus a monotonic clock since. All processes
 * share the machine's clock, so a receipt time in a load generator and a send
 * time in the bench compare to within microseconds (plus any NTP slew during
 * the run, negligible over a minute). Date.now() would do too, at 1 ms resolution.
 */
export const wallClock = () => performance.timeOrigin + performance.now();

export type Transport = 'sse' | 'ws';

/** Parent → child. */
export type ToClients =
  | { op: 'open'; sseUrl: string; wsUrl: string; tokens: string[]; conns: { user: number; transport: Transport }[]; inFlight: number }
  /** Watch for one marker per user in a data_change of `eventType`; answer `watching`, then `done` once every watching connection has it. */
  | { op: 'watch'; markers: Record<number, string>; eventType: string }
  /** Report receipts for the current markers and stop watching. */
  | { op: 'collect' }
  | { op: 'close'; transport?: Transport }
  | { op: 'exit' };

/** Child → parent. */
export type FromClients =
  | { op: 'ready' }
  | { op: 'opened'; opened: number; failed: number; errors: string[] }
  | { op: 'watching' }
  | { op: 'done' }
  /** Per transport and user: receipt times (wall clock, ms) and how many watching connections got nothing. */
  | { op: 'receipts'; got: Record<Transport, Record<number, number[]>>; missing: Record<Transport, Record<number, number>> }
  | { op: 'closed'; remaining: number };
