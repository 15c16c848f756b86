
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
