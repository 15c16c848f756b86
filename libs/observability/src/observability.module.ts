import { Controller, Get, Header, HttpStatus, Inject, Module, Res, type DynamicModule } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { runHealthChecks, type HealthCheck } from './health';
import { HEALTH_CHECKS, HealthProbesController } from './health-probes.controller';
import { RippleMetrics } from './metrics';

export { HEALTH_CHECKS };

@Controller()
class HealthController {
  constructor(@Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[], private readonly adapterHost: HttpAdapterHost) {}

  /** Readiness under its first name (scripts and harnesses poll it): 200 when every dependency answers, 503 otherwise. */
  @Get('health')
  async health(@Res() res: unknown) {
    const report = await runHealthChecks(this.checks);
    this.adapterHost.httpAdapter.reply(res, report, report.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
  }
}

@Controller()
class MetricsController {
  constructor(private readonly metrics: RippleMetrics) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metricsText() {
    return this.metrics.registry.metrics();
  }
}

/**
 * /health, /health/live, /health/ready and /metrics for an app. The checks provider is supplied by the app
 * (it knows its DataSource and NATS connection); RippleMetrics must be injectable where it is imported.
 */
@Module({})
export class ObservabilityModule {
  static forRoot(opts: { checks: { useFactory: (...args: any[]) => HealthCheck[]; inject?: any[] } }): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
      controllers: [HealthController, HealthProbesController, MetricsController],
      providers: [{ provide: HEALTH_CHECKS, useFactory: opts.checks.useFactory, inject: opts.checks.inject ?? [] }],
    };
  }
}
