import { streamName } from '@ripple/contracts';
import { durableName, type Projection } from '@ripple/projections';
import type { RippleMetrics } from '@ripple/observability';
import type { ServiceConfig, ServiceDefinition } from './definition';
import type { JetStreamPipeline } from './pipeline/jetstream-pipeline';
import type { Broker } from '@ripple/messaging';

export interface ProjectionState {
  name: string;
  /** The stream it follows. */
  source: string;
  /**
   * Messages on its stream it has not acknowledged yet (not delivered, or delivered and not
   * committed), read from its durable consumer now: `ripple_projection_lag` (pending at each
   * pull) plus the batch in flight, the same whichever instance answers (a standby never
   * pulls). Null when the broker does not answer.
   */
  lag: number | null;
  /** Open dead letters (`ripple_dead_letters`), counted now. */
  deadLetters: number;
  /** Whether the instance answering holds the projection's leader lease (runs it); another instance may. */
  leader: boolean;
}

export interface PipelineReport {
  service: string;
  /** Committed events not yet acknowledged by JetStream (`ripple_outbox_backlog`); null for a service that publishes nothing. */
  outboxBacklog: number | null;
  /** Whether the instance answering holds the relay's leader lease; null for a service that publishes nothing. */
  relayLeader: boolean | null;
  projections: ProjectionState[];
  /** The tables it writes with its events and rebuilds from its event store (replayed by name like projections; no lag). */
  readModels: string[];
}

export interface ReportSources {
  def: ServiceDefinition;
  config: ServiceConfig;
  broker: Broker;
  metrics: RippleMetrics;
  pipeline: JetStreamPipeline;
}

/** The pipeline figures this service exports at /metrics, as one JSON object, each read now. */
export async function pipelineReport({ def, config, broker, metrics, pipeline }: ReportSources): Promise<PipelineReport> {
  const pending = async (p: Projection): Promise<number | null> => {
    try {
      const info = await broker.jsm.consumers.info(streamName(config.RIPPLE_NAMESPACE, p.source), durableName(def.name, p.name));
      return info.num_pending + info.num_ack_pending;
    } catch {
      return null;
    }
  };
  const projections = await Promise.all(
    pipeline.projections().map(async (p) => ({
      name: p.name, source: p.source, lag: await pending(p), deadLetters: await pipeline.deadLetters.openCount(p.name),
      leader: pipeline.runners.some((r) => r.projection.name === p.name && r.isLeader),
    })),
  );
  const relay = pipeline.relay;
  // Reading the gauge runs its collect: the relay's count of unpublished events, as a scrape would.
  const backlog = relay ? (await metrics.outboxBacklog.get()).values[0]?.value ?? null : null;
  return { service: def.name, outboxBacklog: backlog, relayLeader: relay?.isLeader ?? null, projections, readModels: (def.readModels ?? []).map((m) => m.name) };
}
