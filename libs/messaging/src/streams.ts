import { RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { allEventsSubject, streamName, type BoundedContext } from '@ripple/contracts';
import type { Broker } from './nats-connection';

const TWO_MINUTES_NS = 2 * 60 * 1_000_000_000;

/** One stream per bounded context; events are kept (limits retention) so projections can replay. */
export function streamConfig(namespace: string, context: BoundedContext): Partial<StreamConfig> & { name: string } {
  return {
    name: streamName(namespace, context),
    subjects: [allEventsSubject(namespace, context)],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: TWO_MINUTES_NS,
    num_replicas: 1,
  };
}

/** Creates the stream or brings its config up to date; safe to run at every boot. */
export async function ensureStream(broker: Broker, namespace: string, context: BoundedContext): Promise<void> {
  const cfg = streamConfig(namespace, context);
  try {
    const info = await broker.jsm.streams.info(cfg.name);
    const same = JSON.stringify(info.config.subjects) === JSON.stringify(cfg.subjects) && info.config.duplicate_window === cfg.duplicate_window;
    if (!same) await broker.jsm.streams.update(cfg.name, { subjects: cfg.subjects, duplicate_window: cfg.duplicate_window });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    try {
      await broker.jsm.streams.add(cfg);
    } catch (addErr) {
      // Another instance created it between our info and add.
      if (!/already in use/i.test((addErr as Error).message)) throw addErr;
    }
  }
}

export function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; message?: string; api_error?: { err_code?: number } };
  return /not found/i.test(e?.message ?? '') || e?.api_error?.err_code === 10059 || e?.api_error?.err_code === 10014;
}
