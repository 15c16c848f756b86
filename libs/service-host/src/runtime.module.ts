import { Inject, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ConfigSpec } from '@ripple/config';
import { EventStore } from '@ripple/event-store';
import { JsonLogger, ObservabilityModule, RippleMetrics } from '@ripple/observability';
import { DeadLetterStore } from '@ripple/projections';
import { JWT_SECRET } from '@ripple/auth';
import { deadLettersController } from './dead-letters.controller';
import { opsController } from './ops.controller';
import { replaysController } from './replays.controller';
import { startPipeline, stopRuntime, type ServiceRuntime } from './runtime';

export const SERVICE_RUNTIME = Symbol('SERVICE_RUNTIME');
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const BROKER = Symbol('BROKER');

class PipelineLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(SERVICE_RUNTIME) private readonly rt: ServiceRuntime<ConfigSpec>) {}

  async onApplicationBootstrap() {
    await startPipeline(this.rt);
  }

  async beforeApplicationShutdown(signal?: string) {
    this.rt.logger.event('info', 'shutting down', { signal });
    await stopRuntime(this.rt);
  }
}

/**
 * Makes a runtime's pieces injectable in one app's module tree (imported by the
 * app's root module; deliberately not @Global).
 */
@Module({})
export class RuntimeModule {
  static forRoot(rt: ServiceRuntime<ConfigSpec>): DynamicModule {
    const values = [
      { provide: SERVICE_RUNTIME, useValue: rt },
      { provide: SERVICE_CONFIG, useValue: rt.config },
      { provide: BROKER, useValue: rt.broker },
      { provide: DataSource, useValue: rt.dataSource },
      { provide: EventStore, useValue: rt.eventStore },
      { provide: DeadLetterStore, useValue: rt.deadLetters },
      { provide: JsonLogger, useValue: rt.logger },
      { provide: JWT_SECRET, useValue: rt.config.JWT_SECRET },
    ];
    const consumes = (rt.definition.projections ?? []).length > 0;
    const replays = consumes || (rt.definition.readModels ?? []).length > 0;
    return {
      module: RuntimeModule,
      imports: [ObservabilityModule.forRoot({ metrics: rt.metrics, checks: { useFactory: () => rt.healthChecks } })],
      controllers: [opsController(rt), ...(consumes ? [deadLettersController(rt.definition.name)] : []), ...(replays ? [replaysController(rt)] : [])],
      providers: [...values, PipelineLifecycle],
      exports: [...values.map((v) => v.provide), ObservabilityModule],
    };
  }
}

export { RippleMetrics };
