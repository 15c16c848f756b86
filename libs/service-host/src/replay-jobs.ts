import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Broker } from '@ripple/messaging';
import { JsonLogger } from '@ripple/observability';
import { rebuildFromEventStore, replayProjection, type ReplayProgress } from '@ripple/projections';
import { BROKER, SERVICE_CONFIG, SERVICE_DEFINITION, type ServiceConfig, type ServiceDefinition } from './definition';
import { ProjectionNotFoundError, ReplayRunningError } from './ops.errors';
import { JetStreamPipeline } from './pipeline/jetstream-pipeline';

/**
 * Blue/green rebuilds run inside the service (the live runner keeps serving;
 * see `replayProjection`), one at a time per projection on an instance.
 */
type Rebuild = (onProgress: (p: ReplayProgress) => void) => Promise<number>;

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

  /** What the service can replay: its projections, then its read models. */
  replayableNames(): string[] {
    return [...this.pipeline.projections(), ...(this.def.readModels ?? [])].map((x) => x.name);
  }

  /**
   * The rebuild of one of the service's projections (from its stream) or read
   * models (from the service's event store), blue/green either way; undefined for a
   * name it has neither of. Resolves with the last stream sequence applied, or the
   * events folded.
   */
  rebuildOf(name: string): Rebuild | undefined {
    const projection = this.pipeline.projections().find((p) => p.name === name);
    if (projection) return (onProgress) => replayProjection(this.dataSource, this.broker, projection, { schema: this.def.schema, namespace: this.config.RIPPLE_NAMESPACE, onProgress });
    const model = this.def.readModels?.find((m) => m.name === name);
    if (model) return (onProgress) => rebuildFromEventStore(this.dataSource, model, { schema: this.def.schema, onProgress });
    return undefined;
  }

  /** Checks the name and claims it, then returns the rebuild to run (see `rebuildOf`). */
  claim(name: string): Rebuild {
    const rebuild = this.rebuildOf(name);
    if (!rebuild) throw new ProjectionNotFoundError(name, this.def.name, this.replayableNames());
    if (this.running.has(name)) throw new ReplayRunningError(name);
    this.running.add(name);
    return async (onProgress) => {
      this.logger.event('info', 'replay started', { projection: name });
      try {
        const lastSequence = await rebuild(onProgress);
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
