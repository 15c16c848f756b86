import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Broker } from '@ripple/messaging';
import { JsonLogger } from '@ripple/observability';
import { replayProjection, type ReplayProgress } from '@ripple/projections';
import { BROKER, SERVICE_CONFIG, SERVICE_DEFINITION, type ServiceConfig, type ServiceDefinition } from './definition';
import { ProjectionNotFoundError, ReplayRunningError } from './ops.errors';
import { JetStreamPipeline } from './pipeline/jetstream-pipeline';

/**
 * Blue/green rebuilds run inside the service (the live runner keeps serving;
 * see `replayProjection`), one at a time per projection on an instance.
 */
@Injectable()
export class ReplayJobs {
  private readonly running = new Set<string>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(BROKER) private readonly broker: Broker,
    @Inject(SERVICE_DEFINITION) private readonly def: ServiceDefinition,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly pipeline: JetStreamPipeline,
    private readonly logger: JsonLogger,
  ) {}

  /** Checks the projection and claims it, then returns the rebuild to run: resolves with the last stream sequence applied. */
  claim(name: string): (onProgress: (p: ReplayProgress) => void) => Promise<number> {
    const projections = this.pipeline.projections();
    const projection = projections.find((p) => p.name === name);
    if (!projection) throw new ProjectionNotFoundError(name, this.def.name, projections.map((p) => p.name));
    if (this.running.has(name)) throw new ReplayRunningError(name);
    this.running.add(name);
    return async (onProgress) => {
      this.logger.event('info', 'replay started', { projection: name });
      try {
        const lastSequence = await replayProjection(this.dataSource, this.broker, projection, { schema: this.def.schema, namespace: this.config.RIPPLE_NAMESPACE, onProgress });
        this.logger.event('info', 'replay done', { projection: name, lastSequence });
        return lastSequence;
      } catch (err) {
        this.logger.event('error', 'replay failed', { projection: name, error: (err as Error).message });
        throw err;
      } finally {
        this.running.delete(name);
      }
    };
  }
}
