import { Module, type DynamicModule } from '@nestjs/common';
import type { ConfigSpec } from '@ripple/config';
import { RuntimeModule, pipelineReport, type ServiceRuntime } from '@ripple/service-host';
import { AdminPipelineController, PIPELINE_SOURCES } from './admin/admin-pipeline.controller';
import type { Upstreams } from './proxy/route-table';
import { UpstreamProxy } from './proxy/upstream-proxy';
import { ConnectionDrain, SHUTDOWN_GRACE_MS } from './shutdown/connection-drain';
import { SyncEdge } from './sync/sync-edge';
import { SyncLifecycle, SYNC_RUNTIME, type SyncRuntime } from './sync/sync-lifecycle';
import { SyncController } from './sync/sync.controller';

export interface GatewayModuleOptions {
  rt: ServiceRuntime<ConfigSpec>;
  proxy: UpstreamProxy;
  upstreams: Upstreams;
  edge: SyncEdge;
  sync: SyncRuntime;
  shutdownGraceMs: number;
}

/**
 * The gateway's own routes: /health, /metrics, its dead letters, the admin
 * pipeline view, and the realtime sync endpoints. Every other /api path is the proxy's.
 */
@Module({})
export class GatewayModule {
  static forRoot(opts: GatewayModuleOptions): DynamicModule {
    return {
      module: GatewayModule,
      imports: [RuntimeModule.forRoot(opts.rt)],
      controllers: [SyncController, AdminPipelineController],
      providers: [
        { provide: UpstreamProxy, useValue: opts.proxy },
        { provide: PIPELINE_SOURCES, useValue: { local: () => pipelineReport(opts.rt), upstreams: opts.upstreams } },
        { provide: SHUTDOWN_GRACE_MS, useValue: opts.shutdownGraceMs },
        { provide: SyncEdge, useValue: opts.edge },
        { provide: SYNC_RUNTIME, useValue: opts.sync },
        ConnectionDrain,
        SyncLifecycle,
      ],
    };
  }
}
