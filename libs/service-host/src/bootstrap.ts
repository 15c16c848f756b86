import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError } from '@ripple/config';
import { httpEdgeAdapter, serveOpenApi, useHttpEdge } from '@ripple/http-edge';
import { JsonLogger, RippleMetrics } from '@ripple/observability';
import { SERVICE_CONFIG, SERVICE_DEFINITION, type ServiceConfig, type ServiceDefinition } from './definition';
import { JetStreamPipeline } from './pipeline/jetstream-pipeline';
import { withServiceEnv } from './service-env';

export interface BootstrapOptions {
  /**
   * An HTTP edge of the app's own on Express, instead of Ripple's on Fastify (JSON
   * bodies, validation, errors, the service's OpenAPI document): the gateway's,
   * which streams bodies to the services untouched and adds its own middleware.
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
export async function createServiceApp(appModule: Type, opts: BootstrapOptions = {}): Promise<INestApplication> {
  const options = { logger: false, bodyParser: false, abortOnError: false } as const;
  const create = () => (opts.configure ? NestFactory.create<NestExpressApplication>(appModule, options) : NestFactory.create(appModule, httpEdgeAdapter(), options));
  const app = await (opts.env ? withServiceEnv(opts.env, create) : create());
  const logger = app.get(JsonLogger);
  app.useLogger(logger);
  if (opts.configure) {
    await opts.configure(app as NestExpressApplication);
  } else {
    useHttpEdge(app as NestFastifyApplication, { logger, metrics: app.get(RippleMetrics), bodyLimit: app.get<ServiceConfig>(SERVICE_CONFIG).BODY_LIMIT });
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
export async function bootstrapService(appModule: Type, opts: BootstrapOptions = {}): Promise<INestApplication> {
  let app: INestApplication | undefined;
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
