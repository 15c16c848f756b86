import type { ConfigSpec } from '@ripple/config';
import { streamName } from '@ripple/contracts';
import { durableName, type Projection } from '@ripple/projections';
import type { ServiceRuntime } from './runtime';

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

/** The pipeline figures this service exports at /metrics, as one JSON object, each read now. */
export async function pipelineReport(rt: ServiceRuntime<ConfigSpec>): Promise<PipelineReport> {
  const projections = await Promise.all(
    (rt.definition.projections ?? []).map(async (p) => ({
      name: p.name, source: p.source, lag: await pending(rt, p), deadLetters: await rt.deadLetters.openCount(p.name),
      leader: rt.runners.some((r) => r.projection.name === p.name && r.isLeader),
    })),
  );
  // Reading the gauge runs its collect: the relay's count of unpublished events, as a scrape would.
  const backlog = rt.relay ? (await rt.metrics.outboxBacklog.get()).values[0]?.value ?? null : null;
  return { service: rt.definition.name, outboxBacklog: backlog, relayLeader: rt.relay?.isLeader ?? null, projections, readModels: (rt.definition.readModels ?? []).map((m) => m.name) };
}

async function pending(rt: ServiceRuntime<ConfigSpec>, p: Projection): Promise<number | null> {
  try {
    const info = await rt.broker.jsm.consumers.info(streamName(rt.config.RIPPLE_NAMESPACE, p.source), durableName(rt.definition.name, p.name));
    return info.num_pending + info.num_ack_pending;
  } catch {
    return null;
  }
}
