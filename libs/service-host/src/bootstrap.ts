import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError } from '@ripple/config';
import { serveOpenApi, useHttpEdge } from '@ripple/http-edge';
import { JsonLogger, RippleMetrics } from '@ripple/observability';
import { SERVICE_CONFIG, SERVICE_DEFINITION, type ServiceConfig, type ServiceDefinition } from './definition';
import { JetStreamPipeline } from './pipeline/jetstream-pipeline';
import { withServiceEnv } from './service-env';

export interface BootstrapOptions {
  /**
   * Sets up the HTTP edge instead of the default (JSON bodies, validation, errors, the
   * service's OpenAPI document): the gateway parses no bodies and adds its own middleware.
   */
  configure?: (app: NestExpressApplication) => void | Promise<void>;
  /** The environment the service reads its settings from (default: the process's; see `hostServices`). */
  env?: NodeJS.ProcessEnv;
  /** Close on SIGINT/SIGTERM (default). Off when a host stops its services itself, in its own order. */
  shutdownHooks?: boolean;
}

/**
 * A service's app module as a Nest application with Ripple's HTTP edge and its
 * pipeline connected as a microservice (JetStreamPipeline), not yet started:
 * `init()`, `startAllMicroservices()`, `listen()` (or `bootstrapService`).
 * Settings come from the environment (`opts.env`, or the process's).
 */
export async function createServiceApp(appModule: Type, opts: BootstrapOptions = {}): Promise<NestExpressApplication> {
  const create = () => NestFactory.create<NestExpressApplication>(appModule, { logger: false, bodyParser: false, abortOnError: false });
  const app = await (opts.env ? withServiceEnv(opts.env, create) : create());
  const logger = app.get(JsonLogger);
  app.useLogger(logger);
  if (opts.configure) {
    await opts.configure(app);
  } else {
    useHttpEdge(app, { logger, metrics: app.get(RippleMetrics), bodyLimit: app.get<ServiceConfig>(SERVICE_CONFIG).BODY_LIMIT });
    serveOpenApi(app, app.get<ServiceDefinition>(SERVICE_DEFINITION).name);
  }
  app.connectMicroservice({ strategy: app.get(JetStreamPipeline) });
  return app;
}

/**
 * A service's main.ts: `createServiceApp`, initialized (migrations ran while
 * its providers were built), its pipeline started, then listening on
 * HOST:PORT, closing gracefully on SIGINT/SIGTERM. A bad setting fails the
 * boot naming the variable; any failure exits 1.
 */
export async function bootstrapService(appModule: Type, opts: BootstrapOptions = {}): Promise<NestExpressApplication> {
  let app: NestExpressApplication | undefined;
  const name = appModule.name.replace(/Module$/, '').toLowerCase();
  try {
    app = await createServiceApp(appModule, opts);
    if (opts.shutdownHooks !== false) app.enableShutdownHooks();
    const config = app.get<ServiceConfig & { PORT: number }>(SERVICE_CONFIG);
    await app.init();
    await app.startAllMicroservices();
    await app.listen(config.PORT, config.HOST);
    app.get(JsonLogger).event('info', `${app.get<ServiceDefinition>(SERVICE_DEFINITION).name} listening`, { url: `http://${config.HOST}:${config.PORT}` });
    return app;
  } catch (err) {
    process.stderr.write(err instanceof ConfigError ? `${name}: ${err.message}\n` : `${name} failed to start: ${(err as Error).stack ?? err}\n`);
    await app?.close().catch(() => undefined);
    process.exit(1);
  }
}
