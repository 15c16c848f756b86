import type { ConfigSpec } from '@ripple/config';
import type { ServiceRuntime } from './runtime';

export interface ProjectionState {
  name: string;
  /** The stream it follows. */
  source: string;
  /** Messages pending for its consumer when it last pulled (`ripple_projection_lag`); null until this instance has pulled. */
  lag: number | null;
  /** Open dead letters (`ripple_dead_letters`), counted now. */
  deadLetters: number;
}

export interface PipelineReport {
  service: string;
  /** Committed events not yet acknowledged by JetStream (`ripple_outbox_backlog`); null for a service that publishes nothing. */
  outboxBacklog: number | null;
  projections: ProjectionState[];
}

/** The pipeline figures this service exports at /metrics, as one JSON object (the dead letters counted, not cached). */
export async function pipelineReport(rt: ServiceRuntime<ConfigSpec>): Promise<PipelineReport> {
  const lags = new Map((await rt.metrics.projectionLag.get()).values.map((v) => [v.labels.projection, v.value]));
  const projections = await Promise.all(
    (rt.definition.projections ?? []).map(async (p) => ({
      name: p.name,
      source: p.source,
      lag: lags.get(p.name) ?? null,
      deadLetters: await rt.deadLetters.openCount(p.name),
    })),
  );
  // Reading the gauge runs its collect: the relay's count of unpublished events, as a scrape would.
  const backlog = rt.relay ? (await rt.metrics.outboxBacklog.get()).values[0]?.value ?? null : null;
  return { service: rt.definition.name, outboxBacklog: backlog, projections };
}
