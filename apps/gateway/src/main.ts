import 'reflect-metadata';
import { ConfigError, loadConfig } from '@ripple/config';
import { JsonLogger, RippleMetrics } from '@ripple/observability';
import { createGatewayApp } from './create-gateway-app';
import { GATEWAY_VARS } from './gateway.config';

async function main(): Promise<void> {
  const { values: config, devDefaultsUsed } = loadConfig(GATEWAY_VARS, process.env);
  const logger = new JsonLogger('gateway', config.LOG_LEVEL);
  for (const name of devDefaultsUsed) logger.event('warn', `${name} is not set: using its development default (refused when NODE_ENV=production)`);
  const app = await createGatewayApp(config, logger, new RippleMetrics('gateway'));
  await app.listen(config.PORT, config.HOST);
  logger.event('info', 'gateway listening', { url: `http://${config.HOST}:${config.PORT}`, upstreams: { profiles: config.PROFILES_URL, venues: config.VENUES_URL } });
}

main().catch((err) => {
  process.stderr.write(err instanceof ConfigError ? `gateway: ${err.message}\n` : `gateway failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
