import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DEFAULT_ERROR_STATUS, ErrorFilter } from '@ripple/http-edge';
import type { JsonLogger, RippleMetrics } from '@ripple/observability';
import { correlation } from './correlation.middleware';
import type { GatewayConfig } from './gateway.config';
import { countRequests, upstreamFailureCounter } from './gateway.metrics';
import { GatewayModule } from './gateway.module';
import { parseByteSize } from './proxy/body-limit';
import { UpstreamProxy } from './proxy/upstream-proxy';

/**
 * The gateway as a Nest app. Body parsing is off: the proxy streams bodies
 * untouched, and the gateway's own routes take none.
 */
export async function createGatewayApp(config: GatewayConfig, logger: JsonLogger, metrics: RippleMetrics): Promise<NestExpressApplication> {
  const upstreams = { profiles: config.PROFILES_URL, venues: config.VENUES_URL };
  const proxy = new UpstreamProxy({ upstreams, bodyLimitBytes: parseByteSize(config.BODY_LIMIT)!, logger, onUpstreamFailure: upstreamFailureCounter(metrics) });
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot({ logger, metrics, upstreams, proxy, shutdownGraceMs: config.SHUTDOWN_GRACE_MS }), { logger, bodyParser: false });
  app.disable('x-powered-by');
  app.use(correlation);
  app.use(countRequests(metrics));
  // Registered before Nest adds its routes at init, so /api never reaches Nest's router.
  app.use(proxy.handle);
  app.useGlobalFilters(new ErrorFilter(logger, DEFAULT_ERROR_STATUS));
  app.enableShutdownHooks();
  return app;
}
