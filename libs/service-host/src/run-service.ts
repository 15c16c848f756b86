import type { DynamicModule } from '@nestjs/common';
import { ConfigError, type ConfigSpec } from '@ripple/config';
import { createHttpApp, serveOpenApi } from '@ripple/http-edge';
import { createRuntime, stopRuntime, type ServiceDefinition, type ServiceRuntime } from './runtime';
import type { ServiceHostConfig } from './service-vars';

/**
 * Boots one service process: config (fails fast, naming the variable),
 * migrations, streams, the HTTP app, then the relay and projection runners.
 */
export async function runService<S extends ConfigSpec & { PORT: unknown }>(
  def: ServiceDefinition<S>,
  rootModule: (rt: ServiceRuntime<S>) => DynamicModule,
): Promise<void> {
  let rt: ServiceRuntime<S> | undefined;
  try {
    rt = await createRuntime(def);
    const config = rt.config as ServiceHostConfig & { PORT: number };
    const app = await createHttpApp(rootModule(rt), { logger: rt.logger, metrics: rt.metrics, bodyLimit: config.BODY_LIMIT });
    serveOpenApi(app, def.name);
    await app.listen(config.PORT, config.HOST);
    rt.logger.event('info', `${def.name} listening`, { url: `http://${config.HOST}:${config.PORT}` });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${def.name}: ${err.message}\n`);
    } else {
      process.stderr.write(`${def.name} failed to start: ${(err as Error).stack ?? err}\n`);
    }
    if (rt) await stopRuntime(rt as never).catch(() => undefined);
    process.exit(1);
  }
}
