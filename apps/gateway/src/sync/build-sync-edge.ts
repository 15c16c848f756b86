import type { ServiceRuntime } from '@ripple/service-host';
import { FeedCursors } from '../feed/feed-cursors';
import { FeedReader } from '../feed/feed-reader';
import { FeedTail } from '../feed/feed-tail';
import type { GATEWAY_VARS } from '../gateway.config';
import type { TokenRevocations } from '../revocation/token-revocations';
import { SyncAuthenticator } from './sync-auth';
import { SyncEdge } from './sync-edge';
import { SyncHub } from './sync-hub';
import { SyncMetrics } from './sync.metrics';
import { TicketStore } from './tickets';

/** Wires the realtime edge from the gateway's runtime and config. */
export async function buildSyncEdge(rt: ServiceRuntime<typeof GATEWAY_VARS>, revocations: TokenRevocations): Promise<{ edge: SyncEdge; hub: SyncHub }> {
  const { config } = rt;
  const reader = new FeedReader(rt.dataSource);
  const cursors = new FeedCursors(config.JWT_SECRET, await reader.epoch(), reader);
  const tail = new FeedTail(reader, undefined, undefined, revocations.observe);
  // The tail takes its starting point first: revocations committed after it, the tail reads; those before, the load finds.
  await tail.advance();
  await revocations.load();
  const hub = new SyncHub(config.SYNC_MAX_CONNECTIONS_PER_USER, tail, rt.logger);
  revocations.onRevoke(hub.revoke);
  const tickets = new TicketStore(rt.dataSource, config.SYNC_TICKET_TTL_SECONDS);
  const limits = {
    heartbeatMs: config.SYNC_HEARTBEAT_MS,
    queueLimitBytes: config.SYNC_SEND_QUEUE_BYTES,
    slowConsumerMs: config.SYNC_SLOW_CONSUMER_MS,
    batchSize: config.SYNC_BATCH_SIZE,
    maxDataBytes: config.SYNC_MAX_DATA_BYTES,
  };
  const deps = { reader, tail, cursors, hub, metrics: new SyncMetrics(rt.metrics), logger: rt.logger, limits };
  return { edge: new SyncEdge(new SyncAuthenticator(config.JWT_SECRET, tickets, revocations), tickets, reader, cursors, hub, deps), hub };
}
