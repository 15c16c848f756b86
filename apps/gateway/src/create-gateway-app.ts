import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ErrorFilter, strictValidationPipe } from '@ripple/http-edge';
import { traceHttpRequests, tracingOn } from '@ripple/observability';
import type { ServiceRuntime } from '@ripple/service-host';
import { buildAsyncApi } from './api-docs/asyncapi';
import { serveApiDocs } from './api-docs/serve-api-docs';
import { DEFAULT_CONSOLE_DIR, serveConsole } from './console/serve-console';
import { correlation } from './correlation.middleware';
import { FeedNotifier } from './feed/feed-notifier';
import { FeedRetention } from './feed/feed-retention';
import type { GATEWAY_VARS } from './gateway.config';
import { countRequests, gatewayRoute, upstreamFailureCounter } from './gateway.metrics';
import { GatewayModule } from './gateway.module';
import { TokenRevocations } from './revocation/token-revocations';
import { upstreamHealthChecks } from './health/upstream-health';
import { parseByteSize } from './proxy/body-limit';
import { UpstreamProxy } from './proxy/upstream-proxy';
import { buildSyncEdge } from './sync/build-sync-edge';

export type GatewayRuntime = ServiceRuntime<typeof GATEWAY_VARS>;

/**
 * The gateway as a Nest app. Body parsing is off: the proxy streams bodies
 * untouched, and the gateway's own routes take none.
 */
export async function createGatewayApp(rt: GatewayRuntime): Promise<NestExpressApplication> {
  const { config, logger, metrics } = rt;
  const upstreams = { profiles: config.PROFILES_URL, venues: config.VENUES_URL, pets: config.PETS_URL, connectors: config.CONNECTORS_URL };
  const revocations = new TokenRevocations(rt.dataSource);
  const proxy = new UpstreamProxy({
    upstreams, bodyLimitBytes: parseByteSize(config.BODY_LIMIT)!, logger, onUpstreamFailure: upstreamFailureCounter(metrics),
    onTokensRevoked: (header) => revocations.fromResponseHeader(header),
  });
  rt.healthChecks.push(...upstreamHealthChecks(upstreams));
  const { edge, hub } = await buildSyncEdge(rt, revocations);
  const notifier = new FeedNotifier({ databaseUrl: config.DATABASE_URL, pollMs: config.SYNC_POLL_MS, logger }, hub);
  const retention = new FeedRetention(rt.dataSource, { maxAgeS: config.SYNC_FEED_MAX_AGE_S, maxChanges: config.SYNC_FEED_MAX_CHANGES, intervalMs: config.SYNC_FEED_PRUNE_MS }, metrics, logger);
  const ws = { allowedOrigins: config.SYNC_ALLOWED_ORIGINS.split(',').map((o) => o.trim()), maxInboundBytes: config.SYNC_WS_MAX_INBOUND_BYTES, logger };
  const module = GatewayModule.forRoot({ rt: rt as never, proxy, upstreams, edge, sync: { notifier, retention, hub, ws }, shutdownGraceMs: config.SHUTDOWN_GRACE_MS });
  const app = await NestFactory.create<NestExpressApplication>(module, { logger, bodyParser: false });
  app.disable('x-powered-by');
  app.use(correlation);
  app.use(countRequests(metrics));
  // Its span is the parent of the proxy's request upstream, and of the gateway's own routes' work.
  if (tracingOn()) app.use(traceHttpRequests(gatewayRoute));
  // Before the proxy and the gateway's own routes alike: a revoked token reaches neither.
  app.use(revocations.refuseRevoked);
  // Registered before Nest adds its routes at init: /api reaches Nest's router only for the gateway's own paths.
  app.use(proxy.handle);
  // Only GETs outside /api, /health and /metrics: every path the gateway answers today answers as before.
  const consoleFiles = serveConsole(config.CONSOLE_DIR || DEFAULT_CONSOLE_DIR);
  if (consoleFiles) app.use(consoleFiles);
  app.useGlobalPipes(strictValidationPipe());
  // Host and port only: a broker URL may carry credentials.
  const asyncApi = buildAsyncApi({ nats: new URL(config.NATS_URL.split(',')[0]).host, gateway: `${config.HOST}:${config.PORT}` });
  serveApiDocs(app, { upstreams, asyncApi });
  app.useGlobalFilters(new ErrorFilter(logger));
  app.enableShutdownHooks();
  return app;
}
