import { RetentionPolicy, StorageType, type StreamConfig, type StreamInfo } from '@nats-io/jetstream';
import { allEventsSubject, streamName, type BoundedContext } from '@ripple/contracts';
import type { Broker } from './nats-connection';

const NS_PER_MS = 1_000_000;
export const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

/**
 * How every stream is kept, the same in every app (each may create any stream it
 * uses): replicas (1 on one node, 3 on a cluster) and retention limits, 0 meaning
 * unlimited. A projection can be rebuilt by replay only from what the limits keep.
 */
export interface StreamSettings {
  replicas: number;
  maxAgeMs: number;
  maxBytes: number;
  maxMsgs: number;
}

export const DEFAULT_STREAM_SETTINGS: StreamSettings = { replicas: 1, maxAgeMs: 0, maxBytes: 0, maxMsgs: 0 };

/** One stream per bounded context; events are kept (limits retention) so projections can replay. */
export function streamConfig(namespace: string, context: BoundedContext, settings: StreamSettings = DEFAULT_STREAM_SETTINGS): Partial<StreamConfig> & { name: string } {
  return {
    name: streamName(namespace, context),
    subjects: [allEventsSubject(namespace, context)],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: DUPLICATE_WINDOW_MS * NS_PER_MS,
    num_replicas: settings.replicas,
    max_age: settings.maxAgeMs * NS_PER_MS,
    max_bytes: settings.maxBytes || -1,
    max_msgs: settings.maxMsgs || -1,
  };
}

const UPDATABLE = ['subjects', 'duplicate_window', 'num_replicas', 'max_age', 'max_bytes', 'max_msgs'] as const;

/**
 * Creates the stream or brings its config up to date; safe to run at every boot,
 * and again whenever it is found missing. Returns the stream as it stands.
 */
export async function ensureStream(broker: Broker, namespace: string, context: BoundedContext, settings: StreamSettings = DEFAULT_STREAM_SETTINGS): Promise<StreamInfo> {
  const cfg = streamConfig(namespace, context, settings);
  try {
    const info = await broker.jsm.streams.info(cfg.name);
    const changed = UPDATABLE.filter((k) => JSON.stringify(info.config[k]) !== JSON.stringify(cfg[k]));
    return changed.length ? await broker.jsm.streams.update(cfg.name, Object.fromEntries(changed.map((k) => [k, cfg[k]]))) : info;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    try {
      return await broker.jsm.streams.add(cfg);
    } catch (addErr) {
      // Another instance created it between our info and add.
      if (!/already in use/i.test((addErr as Error).message)) throw addErr;
      return broker.jsm.streams.info(cfg.name);
    }
  }
}

/** A stream or consumer that does not exist (never created, deleted, or lost with the broker's store). */
export function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; message?: string; api_error?: { err_code?: number } };
  return /not found|consumer deleted/i.test(e?.message ?? '') || e?.api_error?.err_code === 10059 || e?.api_error?.err_code === 10014;
}

/** A JetStream publish no stream answered (503 no responders): the stream of its subject is gone. */
export function isNoStream(err: unknown): boolean {
  // nats.js reports it as "jetstream is not enabled", with the no-responders error as its cause.
  return /no responders|jetstream is not enabled/i.test((err as Error)?.message ?? '');
}
