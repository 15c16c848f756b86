import { int, SERVICE_VARS, type ConfigOf } from '@ripple/config';
import type { StreamSettings } from '@ripple/messaging';

const atLeast = (min: number) => (v: string) => (Number(v) >= min ? undefined : `must be ${min} or more`);

/** What every event-sourced service reads, besides its own variables. */
export const SERVICE_HOST_VARS = {
  ...SERVICE_VARS,
  RETRY_BACKOFF_MS: int({ default: '500' }),
  RETRY_BACKOFF_MAX_MS: int({ default: '30000' }),
  PROJECTION_BATCH_SIZE: int({ default: '500' }),
  /**
   * How long a pooled PostgreSQL connection may sit idle before it is closed; 0 keeps it. A new
   * connection costs the request that opens it the connect and, on its fresh backend, the first
   * parse, plan and run of each statement it sends (profiles' append: 53-90 ms on the bench
   * machine against 5-45 ms on a warm connection in the same seconds), so pg's default of 10 s
   * paid that again after every lull (issue 10; `test/bench/after-lull.js`).
   */
  DATABASE_POOL_IDLE_MS: int({ default: '600000', check: atLeast(0) }),
  /**
   * The most connections an app's pool opens. Beyond them a request waits in the app for one to
   * be released instead of opening another: a new connection costs its first requests the connect
   * and their statements' first parse and plan on a fresh backend, and every backend running at
   * once competes for the same cores. On the 2-core bench machine, with 10 a burst opened 7-8 new
   * connections in profiles at the start of a 100/s step, and p99 to the SSE client at 100/s was
   * 196-268 ms against 100-193 ms with 4 (issue 10, docs/performance-log.md, the twenty-fourth
   * and twenty-fifth sessions). A wait for a connection is bounded (`poolOptions`), so while
   * writers queued behind a lock hold every connection, other requests fail after 5 s instead of
   * hanging.
   */
  DATABASE_POOL_MAX: int({ default: '4', check: atLeast(1) }),
  /** Stream replicas: 1 on one nats-server, 3 on a cluster. Every app must be given the same stream settings. */
  STREAM_REPLICAS: int({ default: '1', check: (v) => (['1', '3', '5'].includes(v) ? undefined : 'must be 1, 3 or 5') }),
  /** Stream retention limits, 0 meaning unlimited: replay rebuilds only from what they keep. */
  STREAM_MAX_AGE_S: int({ default: '0', check: atLeast(0) }),
  STREAM_MAX_BYTES: int({ default: '0', check: atLeast(0) }),
  STREAM_MAX_MSGS: int({ default: '0', check: atLeast(0) }),
  /** How often streams and consumers are checked (re-created when missing, refilled when they lost events). */
  PIPELINE_CHECK_MS: int({ default: '15000', check: atLeast(1000) }),
};
export type ServiceHostConfig = ConfigOf<typeof SERVICE_HOST_VARS>;

export function streamSettings(config: ServiceHostConfig): StreamSettings {
  return { replicas: config.STREAM_REPLICAS, maxAgeMs: config.STREAM_MAX_AGE_S * 1000, maxBytes: config.STREAM_MAX_BYTES, maxMsgs: config.STREAM_MAX_MSGS };
}

/** An app's PostgreSQL pool (pg-pool options, TypeORM's `extra`). */
export function poolOptions(app: string, config: Pick<ServiceHostConfig, 'DATABASE_POOL_IDLE_MS' | 'DATABASE_POOL_MAX'>) {
  // A bounded wait for a connection: while PostgreSQL is unreachable a request fails (503) instead of hanging.
  return { max: config.DATABASE_POOL_MAX, application_name: `ripple-${app}`, connectionTimeoutMillis: 5000, idleTimeoutMillis: config.DATABASE_POOL_IDLE_MS };
}
