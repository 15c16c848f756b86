import type { Audience, RecordChange } from './audience';
import type { EventContract } from './contract';
import { InvalidEnvelopeError, validateEnvelope, type EventEnvelope } from './envelope';
import { compilePayloadCheck, type PayloadCheck } from './payload-check';
import { CONNECTORS_CONTRACTS, type ConnectorsEvent } from './connectors.events';
import { PETS_CONTRACTS, type PetsEvent } from './pets.events';
import { PROFILES_CONTRACTS, type ProfilesEvent } from './profiles.events';
import { VENUES_CONTRACTS, type VenuesEvent } from './venues.events';
import type { TObject } from './schema';

/** Every event Ripple publishes, as one discriminated union. */
export type DomainEvent = ProfilesEvent | PetsEvent | VenuesEvent | ConnectorsEvent;
export type DomainEventType = DomainEvent['type'];

/** The registry: every event type Ripple knows, with its contract. */
const CONTRACTS: Readonly<Record<DomainEventType, EventContract>> = {
  ...PROFILES_CONTRACTS,
  ...VENUES_CONTRACTS,
  ...PETS_CONTRACTS,
  ...CONNECTORS_CONTRACTS,
};

export const EVENT_TYPES = Object.keys(CONTRACTS).sort() as readonly DomainEventType[];

export class UnknownEventTypeError extends Error {
  readonly code = 'UNKNOWN_EVENT_TYPE';
  constructor(readonly type: string) {
    super(`unknown event type ${type}`);
  }
}

export function isKnownEventType(type: string): type is DomainEventType {
  return Object.prototype.hasOwnProperty.call(CONTRACTS, type);
}

const checks = new Map<DomainEventType, PayloadCheck>();
const checkOf = (type: DomainEventType): PayloadCheck => checks.get(type) ?? checks.set(type, compilePayloadCheck(CONTRACTS[type])).get(type)!;

/**
 * Reads an event as published: checks the envelope, upcasts an older payload to
 * the current schema version, then checks the payload against its schema.
 */
export function parseEvent(raw: unknown): DomainEvent {
  const envelope = validateEnvelope(raw);
  if (!isKnownEventType(envelope.type)) throw new UnknownEventTypeError(envelope.type);
  const contract = CONTRACTS[envelope.type];
  const current = contract.version ?? 1;
  if (envelope.schemaVersion > current) {
    throw new InvalidEnvelopeError([`${envelope.type} v${envelope.schemaVersion} is newer than this reader (v${current})`]);
  }
  let data = envelope.data as Record<string, unknown>;
  for (let v = envelope.schemaVersion; v < current; v++) {
    const up = contract.upcasters?.[v];
    if (!up) throw new InvalidEnvelopeError([`no upcaster for ${envelope.type} v${v}`]);
    data = up(data);
  }
  const problems = checkOf(envelope.type)(data);
  if (problems.length) throw new InvalidEnvelopeError(problems);
  return (envelope.schemaVersion === current && data === envelope.data ? envelope : { ...envelope, schemaVersion: current, data }) as unknown as DomainEvent;
}

export function currentSchemaVersion(type: DomainEventType): number {
  return CONTRACTS[type].version ?? 1;
}

/** The JSON Schema of an event's payload at its current version (published in the AsyncAPI document). */
export const payloadSchema = (type: DomainEventType): TObject => CONTRACTS[type].schema;
/** Which users an event concerns (the gateway's change feed follows this). */
export const audienceOf = (type: DomainEventType): Audience => CONTRACTS[type].audience;
/** What an event does to its record. */
export const recordChangeOf = (type: DomainEventType): RecordChange => CONTRACTS[type].change;

export function decodeEvent(bytes: Uint8Array): DomainEvent {
  let raw: unknown;
  try {
    // A view of the bytes, not a copy (Buffer.from(Uint8Array) copies).
    raw = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    throw new InvalidEnvelopeError(['payload is not JSON']);
  }
  return parseEvent(raw);
}

export type { EventEnvelope };
