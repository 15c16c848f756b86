/** Who caused a change: a user id, or a service acting on its own (`service:venues`). */
export type Actor = string;

/** Metadata every published event carries, whatever its type. */
export interface EventEnvelope<TType extends string = string, TData = unknown> {
  /** Time-ordered unique id (UUIDv7); also the JetStream `Nats-Msg-Id`. */
  id: string;
  type: TType;
  schemaVersion: number;
  aggregateType: string;
  aggregateId: string;
  /** 1-based position of this event in its aggregate's stream. */
  aggregateVersion: number;
  occurredAt: string;
  correlationId: string;
  /** Id of the event (or request) that caused this one; equals correlationId for a first cause. */
  causationId: string;
  actor: Actor;
  /**
   * W3C trace context (`00-<trace id>-<span id>-<flags>`) of the span that caused
   * this event, when the producer traces (OpenTelemetry): consumers continue that
   * trace. Absent otherwise; never needed to apply the event.
   */
  traceparent?: string;
  data: TData;
}

/** What a command handler supplies about the request that caused new events. */
export interface CausationContext {
  correlationId: string;
  causationId: string;
  actor: Actor;
  /** The causing event's trace (a reactor passes it on); else the events carry the active span's. */
  traceparent?: string;
}

export class InvalidEnvelopeError extends Error {
  readonly code = 'INVALID_ENVELOPE';
  constructor(readonly problems: string[]) {
    super(`invalid event envelope: ${problems.join('; ')}`);
  }
}

const STRING_FIELDS = ['type', 'aggregateType', 'aggregateId', 'correlationId', 'causationId', 'actor', 'occurredAt'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks the envelope's shape (not the payload: see `parseEvent`). */
export function validateEnvelope(raw: unknown): EventEnvelope {
  const problems: string[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidEnvelopeError(['envelope must be a JSON object']);
  }
  const e = raw as Record<string, unknown>;
  for (const k of STRING_FIELDS) {
    if (typeof e[k] !== 'string' || (e[k] as string).length === 0) problems.push(`${k} must be a non-empty string`);
  }
  if (typeof e.id !== 'string' || !UUID.test(e.id)) problems.push('id must be a UUID');
  if (!Number.isInteger(e.schemaVersion) || (e.schemaVersion as number) < 1) problems.push('schemaVersion must be a positive integer');
  if (!Number.isInteger(e.aggregateVersion) || (e.aggregateVersion as number) < 1) problems.push('aggregateVersion must be a positive integer');
  if (typeof e.occurredAt === 'string' && Number.isNaN(Date.parse(e.occurredAt))) problems.push('occurredAt must be an ISO date');
  if (e.traceparent !== undefined && typeof e.traceparent !== 'string') problems.push('traceparent must be a string when present');
  if (!('data' in e) || typeof e.data !== 'object' || e.data === null) problems.push('data must be an object');
  if (problems.length) throw new InvalidEnvelopeError(problems);
  return e as unknown as EventEnvelope;
}
