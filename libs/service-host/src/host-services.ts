import type { INestApplication, Type } from '@nestjs/common';
import { bootstrapService, type BootstrapOptions } from './bootstrap';

export interface HostedService {
  /** The service's app module, as its main.ts gives it to `bootstrapService`. */
  module: Type;
  /** Its own settings (PORT, upstream URLs, …), as its process would have them. */
  env: NodeJS.ProcessEnv;
  configure?: BootstrapOptions['configure'];
}

/**
 * Several services in this one process (`npm start -- --one-process`): each is
 * still its own Nest application, with its own settings, schema, pool, NATS
 * connection and port, and they still talk only through JetStream and HTTP.
 * Started in the order given; on SIGINT/SIGTERM closed in reverse (the gateway,
 * given last, goes first), then the process exits. A service that fails to
 * start ends the process, as it would end its own.
 */
export async function hostServices(services: HostedService[]): Promise<INestApplication[]> {
  const apps: INestApplication[] = [];
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const app of [...apps].reverse()) await app.close().catch((err: Error) => process.stderr.write(`closing a service failed: ${err.stack ?? err}\n`));
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop());
  for (const service of services) {
    apps.push(await bootstrapService(service.module, { env: service.env, configure: service.configure, shutdownHooks: false }));
    // A signal that came while this one started: it is closed with the others.
    if (stopping) break;
  }
  return apps;
}
