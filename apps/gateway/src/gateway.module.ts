import { Module, type DynamicModule } from '@nestjs/common';
import type { ConfigSpec } from '@ripple/config';
import { RuntimeModule, type ServiceRuntime } from '@ripple/service-host';
import { UpstreamProxy } from './proxy/upstream-proxy';
import { ConnectionDrain, SHUTDOWN_GRACE_MS } from './shutdown/connection-drain';
import { SyncEdge } from './sync/sync-edge';
import { SyncLifecycle, SYNC_RUNTIME, type SyncRuntime } from './sync/sync-lifecycle';
import { SyncController } from './sync/sync.controller';

export interface GatewayModuleOptions {
  rt: ServiceRuntime<ConfigSpec>;
  proxy: UpstreamProxy;
  edge: SyncEdge;
  sync: SyncRuntime;
  shutdownGraceMs: number;
}

/**
 * The gateway's own routes: /health, /metrics, its dead letters, and the
 * realtime sync endpoints. Every other /api path is the proxy's.
 */
@Module({})
export class GatewayModule {
  static forRoot(opts: GatewayModuleOptions): DynamicModule {
    return {
      module: GatewayModule,
      imports: [RuntimeModule.forRoot(opts.rt)],
      controllers: [SyncController],
      providers: [
        { provide: UpstreamProxy, useValue: opts.proxy },
        { provide: SHUTDOWN_GRACE_MS, useValue: opts.shutdownGraceMs },
        { provide: SyncEdge, useValue: opts.edge },
        { provide: SYNC_RUNTIME, useValue: opts.sync },
        ConnectionDrain,
        SyncLifecycle,
      ],
    };
  }
}
