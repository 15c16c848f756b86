import type { NestExpressApplication } from '@nestjs/platform-express';
import { ErrorFilter, strictValidationPipe } from '@ripple/http-edge';
import { JsonLogger, RippleMetrics, traceHttpRequests, tracingOn } from '@ripple/observability';
import { SERVICE_CONFIG, type ServiceConfig } from '@ripple/service-host';
import { buildAsyncApi } from './api-docs/asyncapi';
import { serveApiDocs } from './api-docs/serve-api-docs';
import { DEFAULT_CONSOLE_DIR, serveConsole } from './console/serve-console';
import { correlation } from './correlation.middleware';
import type { GATEWAY_VARS } from './gateway.config';
import { countRequests, gatewayRoute } from './gateway.metrics';
import { UPSTREAMS } from './gateway.module';
import type { Upstreams } from './proxy/route-table';
import { proxyFirst, type EdgeMiddleware } from './proxy/proxy-first';
import { UpstreamProxy } from './proxy/upstream-proxy';
import { TokenRevocations } from './revocation/token-revocations';

/**
 * The gateway's HTTP edge, in place of a service's: body parsing is off (the
 * proxy streams bodies untouched, and the gateway's own routes take none), the
 * proxy answers its paths ahead of Express, and the console is served at `/`.
 */
export function configureGateway(app: NestExpressApplication): void {
  const config = app.get<ServiceConfig<typeof GATEWAY_VARS>>(SERVICE_CONFIG);
  const logger = app.get(JsonLogger);
  const revocations = app.get(TokenRevocations);
  app.disable('x-powered-by');
  // Every request, proxied or the gateway's own, passes these first.
  const edge: EdgeMiddleware[] = [
    correlation,
    countRequests(app.get(RippleMetrics)),
    // Its span is the parent of the proxy's request upstream, and of the gateway's own routes' work.
    ...(tracingOn() ? [traceHttpRequests(gatewayRoute)] : []),
    // A revoked token reaches neither a service nor the gateway's own routes.
    revocations.refuseRevoked,
  ];
  // The proxied /api paths skip Express; Express (and Nest's router) serve the gateway's own paths.
  proxyFirst(app.getHttpServer(), app.get(UpstreamProxy), edge, logger);
  for (const middleware of edge) app.use(middleware);
  // Only GETs outside /api, /health and /metrics: every path the gateway answers today answers as before.
  const consoleFiles = serveConsole(config.CONSOLE_DIR || DEFAULT_CONSOLE_DIR);
  if (consoleFiles) app.use(consoleFiles);
  app.useGlobalPipes(strictValidationPipe());
  // Host and port only: a broker URL may carry credentials.
  const asyncApi = buildAsyncApi({ nats: new URL(config.NATS_URL.split(',')[0]).host, gateway: `${config.HOST}:${config.PORT}` });
  serveApiDocs(app, { upstreams: app.get<Upstreams>(UPSTREAMS), asyncApi });
  app.useGlobalFilters(new ErrorFilter(logger, app.getHttpAdapter()));
}
