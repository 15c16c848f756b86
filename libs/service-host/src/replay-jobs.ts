import type { ConfigSpec } from '@ripple/config';
import { replayProjection, type ReplayProgress } from '@ripple/projections';
import { ProjectionNotFoundError, ReplayRunningError } from './ops.errors';
import type { ServiceRuntime } from './runtime';

/**
 * Blue/green rebuilds run inside the service (the live runner keeps serving;
 * see `replayProjection`), one at a time per projection on an instance.
 */
export class ReplayJobs {
  private readonly running = new Set<string>();

  constructor(private readonly rt: ServiceRuntime<ConfigSpec>) {}

  /** Checks the projection and claims it, then returns the rebuild to run: resolves with the last stream sequence applied. */
  claim(name: string): (onProgress: (p: ReplayProgress) => void) => Promise<number> {
    const projections = this.rt.definition.projections ?? [];
    const projection = projections.find((p) => p.name === name);
    if (!projection) throw new ProjectionNotFoundError(name, this.rt.definition.name, projections.map((p) => p.name));
    if (this.running.has(name)) throw new ReplayRunningError(name);
    this.running.add(name);
    const { dataSource, broker, definition, config, logger } = this.rt;
    return async (onProgress) => {
      logger.event('info', 'replay started', { projection: name });
      try {
        const lastSequence = await replayProjection(dataSource, broker, projection, { schema: definition.schema, namespace: config.RIPPLE_NAMESPACE, onProgress });
        logger.event('info', 'replay done', { projection: name, lastSequence });
        return lastSequence;
      } catch (err) {
        logger.event('error', 'replay failed', { projection: name, error: (err as Error).message });
        throw err;
      } finally {
        this.running.delete(name);
      }
    };
  }
}
