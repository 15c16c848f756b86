import type { ConfigSpec } from '@ripple/config';
import { rebuildFromEventStore, replayProjection, type ReplayProgress } from '@ripple/projections';
import { ProjectionNotFoundError, ReplayRunningError } from './ops.errors';
import type { ServiceDefinition, ServiceRuntime } from './runtime';

type Rebuild = (onProgress: (p: ReplayProgress) => void) => Promise<number>;

/** What a service can replay: its projections, then its read models. */
export const replayableNames = (def: ServiceDefinition<ConfigSpec>): string[] =>
  [...(def.projections ?? []), ...(def.readModels ?? [])].map((x) => x.name);

/**
 * The rebuild of one of the service's projections (from its stream) or read
 * models (from the service's event store), blue/green either way; undefined for a
 * name it has neither of.
 */
export function rebuildOf(rt: ServiceRuntime<ConfigSpec>, name: string): Rebuild | undefined {
  const { dataSource, broker, definition, config } = rt;
  const projection = definition.projections?.find((p) => p.name === name);
  if (projection) return (onProgress) => replayProjection(dataSource, broker, projection, { schema: definition.schema, namespace: config.RIPPLE_NAMESPACE, onProgress });
  const model = definition.readModels?.find((m) => m.name === name);
  if (model) return (onProgress) => rebuildFromEventStore(dataSource, model, { schema: definition.schema, onProgress });
  return undefined;
}

/**
 * Blue/green rebuilds run inside the service (the live runner keeps serving;
 * see `replayProjection`), one at a time per projection on an instance.
 */
export class ReplayJobs {
  private readonly running = new Set<string>();

  constructor(private readonly rt: ServiceRuntime<ConfigSpec>) {}

  /** Checks the projection and claims it, then returns the rebuild to run: resolves with the last stream sequence applied. */
  claim(name: string): (onProgress: (p: ReplayProgress) => void) => Promise<number> {
    const rebuild = rebuildOf(this.rt, name);
    if (!rebuild) throw new ProjectionNotFoundError(name, this.rt.definition.name, replayableNames(this.rt.definition));
    if (this.running.has(name)) throw new ReplayRunningError(name);
    this.running.add(name);
    const { logger } = this.rt;
    return async (onProgress) => {
      logger.event('info', 'replay started', { projection: name });
      try {
        const lastSequence = await rebuild(onProgress);
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
