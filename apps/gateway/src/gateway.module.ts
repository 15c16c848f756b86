import { Module, type DynamicModule } from '@nestjs/common';
import { JsonLogger, ObservabilityModule, type RippleMetrics } from '@ripple/observability';
import { upstreamHealthChecks } from './health/upstream-health';
import type { Upstreams } from './proxy/route-table';
import { UpstreamProxy } from './proxy/upstream-proxy';
import { ConnectionDrain, SHUTDOWN_GRACE_MS } from './shutdown/connection-drain';

/** The gateway's own routes (/health, /metrics); everything under /api is the proxy's. */
@Module({})
export class GatewayModule {
  static forRoot(opts: { logger: JsonLogger; metrics: RippleMetrics; upstreams: Upstreams; proxy: UpstreamProxy; shutdownGraceMs: number }): DynamicModule {
    return {
      module: GatewayModule,
      imports: [ObservabilityModule.forRoot({ metrics: opts.metrics, checks: { useFactory: () => upstreamHealthChecks(opts.upstreams) } })],
      providers: [
        { provide: JsonLogger, useValue: opts.logger },
        { provide: UpstreamProxy, useValue: opts.proxy },
        { provide: SHUTDOWN_GRACE_MS, useValue: opts.shutdownGraceMs },
        ConnectionDrain,
      ],
    };
  }
}
