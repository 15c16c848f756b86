import 'reflect-metadata';
import { ConfigError } from '@ripple/config';
import { createRuntime, stopRuntime } from '@ripple/service-host';
import { createGatewayApp, type GatewayRuntime } from './create-gateway-app';
import { gatewayDefinition } from './gateway.definition';

async function main(): Promise<void> {
  let rt: GatewayRuntime | undefined;
  try {
    rt = await createRuntime(gatewayDefinition);
    const app = await createGatewayApp(rt);
    await app.listen(rt.config.PORT, rt.config.HOST);
    const { HOST, PORT, PROFILES_URL, VENUES_URL, PETS_URL, CONNECTORS_URL } = rt.config;
    rt.logger.event('info', 'gateway listening', { url: `http://${HOST}:${PORT}`, upstreams: { profiles: PROFILES_URL, venues: VENUES_URL, pets: PETS_URL, connectors: CONNECTORS_URL } });
  } catch (err) {
    process.stderr.write(err instanceof ConfigError ? `gateway: ${err.message}\n` : `gateway failed to start: ${(err as Error).stack ?? err}\n`);
    if (rt) await stopRuntime(rt as never).catch(() => undefined);
    process.exit(1);
  }
}

void main();
