import { Module, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { parseByteSize } from '@ripple/config';
import { JsonLogger, RippleMetrics } from '@ripple/observability';
import { HealthChecks, JetStreamPipeline, RippleModule, SERVICE_CONFIG, type ServiceConfig } from '@ripple/service-host';
import { AdminPipelineController, PIPELINE_SOURCES } from './admin/admin-pipeline.controller';
import type { PipelineSources } from './admin/pipeline-sources';
import { ChangeFeedProjection } from './feed/change-feed.projection';
import { FeedCursors } from './feed/feed-cursors';
import { FeedNotifier } from './feed/feed-notifier';
import { FeedReader } from './feed/feed-reader';
import { FeedRetention } from './feed/feed-retention';
import { FEED_SOURCES } from './feed/feed-sources';
import { FeedTail } from './feed/feed-tail';
import type { GATEWAY_VARS } from './gateway.config';
import { gatewayDefinition } from './gateway.definition';
import { upstreamFailureCounter } from './gateway.metrics';
import { upstreamHealthChecks } from './health/upstream-health';
import type { Upstreams } from './proxy/route-table';
import { UpstreamProxy } from './proxy/upstream-proxy';
import { TokenRevocations } from './revocation/token-revocations';
import { ConnectionDrain, SHUTDOWN_GRACE_MS } from './shutdown/connection-drain';
import { SyncAuthenticator } from './sync/sync-auth';
import { SyncEdge } from './sync/sync-edge';
import { SyncHub } from './sync/sync-hub';
import { SyncLifecycle, SYNC_RUNTIME, type SyncRuntime } from './sync/sync-lifecycle';
import { SyncController } from './sync/sync.controller';
import { SyncMetrics } from './sync/sync.metrics';
import { TicketStore } from './sync/tickets';

type GatewayConfig = ServiceConfig<typeof GATEWAY_VARS>;
const UPSTREAMS = Symbol('UPSTREAMS');

const providers: Provider[] = [
  // One per stream the feed follows: the pipeline finds them among the providers.
  ...FEED_SOURCES.map((source) => ({ provide: `change-feed-${source}`, useFactory: () => new ChangeFeedProjection(source) })),
  {
    provide: UPSTREAMS,
    inject: [SERVICE_CONFIG, HealthChecks],
    useFactory: (c: GatewayConfig, health: HealthChecks): Upstreams => {
      const upstreams = { profiles: c.PROFILES_URL, venues: c.VENUES_URL, pets: c.PETS_URL, connectors: c.CONNECTORS_URL };
      health.add(...upstreamHealthChecks(upstreams));
      return upstreams;
    },
  },
  { provide: TokenRevocations, inject: [DataSource], useFactory: (db: DataSource) => new TokenRevocations(db) },
  {
    provide: UpstreamProxy,
    inject: [SERVICE_CONFIG, UPSTREAMS, JsonLogger, RippleMetrics, TokenRevocations],
    useFactory: (c: GatewayConfig, upstreams: Upstreams, logger: JsonLogger, metrics: RippleMetrics, revocations: TokenRevocations) =>
      new UpstreamProxy({
        upstreams, bodyLimitBytes: parseByteSize(c.BODY_LIMIT)!, logger, onUpstreamFailure: upstreamFailureCounter(metrics),
        onTokensRevoked: (header) => revocations.fromResponseHeader(header),
      }),
  },
  { provide: FeedReader, inject: [DataSource], useFactory: (db: DataSource) => new FeedReader(db) },
  {
    provide: FeedTail,
    inject: [FeedReader, TokenRevocations],
    useFactory: async (reader: FeedReader, revocations: TokenRevocations) => {
      const tail = new FeedTail(reader, undefined, undefined, revocations.observe);
      // The tail takes its starting point first: revocations committed after it, the tail reads; those before, the load finds.
      await tail.advance();
      await revocations.load();
      return tail;
    },
  },
  {
    provide: SyncHub,
    inject: [SERVICE_CONFIG, FeedTail, JsonLogger, TokenRevocations],
    useFactory: (c: GatewayConfig, tail: FeedTail, logger: JsonLogger, revocations: TokenRevocations) => {
      const hub = new SyncHub(c.SYNC_MAX_CONNECTIONS_PER_USER, tail, logger);
      revocations.onRevoke(hub.revoke);
      return hub;
    },
  },
  {
    provide: SyncEdge,
    inject: [SERVICE_CONFIG, DataSource, FeedReader, FeedTail, SyncHub, TokenRevocations, RippleMetrics, JsonLogger],
    useFactory: async (c: GatewayConfig, db: DataSource, reader: FeedReader, tail: FeedTail, hub: SyncHub, revocations: TokenRevocations, metrics: RippleMetrics, logger: JsonLogger) => {
      const cursors = new FeedCursors(c.JWT_SECRET, await reader.epoch(), reader);
      const tickets = new TicketStore(db, c.SYNC_TICKET_TTL_SECONDS);
      const limits = {
        heartbeatMs: c.SYNC_HEARTBEAT_MS,
        queueLimitBytes: c.SYNC_SEND_QUEUE_BYTES,
        slowConsumerMs: c.SYNC_SLOW_CONSUMER_MS,
        batchSize: c.SYNC_BATCH_SIZE,
        maxDataBytes: c.SYNC_MAX_DATA_BYTES,
      };
      const deps = { reader, tail, cursors, hub, metrics: new SyncMetrics(metrics), logger, limits };
      return new SyncEdge(new SyncAuthenticator(c.JWT_SECRET, tickets, revocations), tickets, reader, cursors, hub, deps);
    },
  },
  {
    provide: SYNC_RUNTIME,
    inject: [SERVICE_CONFIG, DataSource, SyncHub, RippleMetrics, JsonLogger],
    useFactory: (c: GatewayConfig, db: DataSource, hub: SyncHub, metrics: RippleMetrics, logger: JsonLogger): SyncRuntime => ({
      notifier: new FeedNotifier({ databaseUrl: c.DATABASE_URL, pollMs: c.SYNC_POLL_MS, logger }, hub),
      retention: new FeedRetention(db, { maxAgeS: c.SYNC_FEED_MAX_AGE_S, maxChanges: c.SYNC_FEED_MAX_CHANGES, intervalMs: c.SYNC_FEED_PRUNE_MS }, metrics, logger),
      hub,
      ws: { allowedOrigins: c.SYNC_ALLOWED_ORIGINS.split(',').map((o) => o.trim()), maxInboundBytes: c.SYNC_WS_MAX_INBOUND_BYTES, logger },
    }),
  },
  {
    provide: PIPELINE_SOURCES,
    inject: [JetStreamPipeline, UPSTREAMS],
    useFactory: (pipeline: JetStreamPipeline, upstreams: Upstreams): PipelineSources => ({ local: () => pipeline.report(), upstreams }),
  },
  { provide: SHUTDOWN_GRACE_MS, inject: [SERVICE_CONFIG], useFactory: (c: GatewayConfig) => c.SHUTDOWN_GRACE_MS },
  ConnectionDrain,
  SyncLifecycle,
];

/**
 * The gateway: one origin for every service (the proxy, configured in
 * configureGateway), its own routes (/health, /metrics, its dead letters, the
 * admin pipeline view, the realtime sync endpoints) and the change feed it
 * projects from every stream.
 */
@Module({
  imports: [RippleModule.forService(gatewayDefinition)],
  controllers: [SyncController, AdminPipelineController],
  providers,
  exports: [UpstreamProxy, TokenRevocations, UPSTREAMS],
})
export class GatewayModule {}

export { UPSTREAMS };
