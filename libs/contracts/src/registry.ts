import { InvalidEnvelopeError, validateEnvelope, type EventEnvelope } from './envelope';
import { PROFILE_FIELDS, TOKEN_REVOCATION_REASONS, USER_ROLES, type ProfilesEvent } from './profiles.events';
import type { PetsEvent } from './pets.events';
import type { VenuesEvent } from './venues.events';
import { PETS_PAYLOAD_CHECKS } from './pets.contracts';
import type { ConnectorsEvent } from './connectors.events';
import { CONNECTORS_PAYLOAD_CHECKS } from './connectors.contracts';

/** Every event Ripple publishes, as one discriminated union. */
export type DomainEvent = ProfilesEvent | PetsEvent | VenuesEvent | ConnectorsEvent;

type PayloadCheck = (data: Record<string, unknown>) => string[];
type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

interface Contract {
  current: number;
  check: PayloadCheck;
  /** upcasters[n] turns a version-n payload into version n+1. */
  upcasters?: Record<number, Upcaster>;
}

const isRole = (v: unknown) => typeof v === 'string' && (USER_ROLES as readonly string[]).includes(v);
const profileProblems = (value: unknown, name: string, allowNull: boolean): string[] => {
  if (typeof value !== 'object' || value === null) return [`${name} must be an object`];
  return Object.entries(value).flatMap(([k, v]) => {
    if (!(PROFILE_FIELDS as readonly string[]).includes(k)) return [`${name}.${k} is not a profile field`];
    if (v === null) return allowNull ? [] : [`${name}.${k} must not be null`];
    const ok = k === 'galleraActiveRoosters' ? Number.isInteger(v) : typeof v === 'string';
    return ok ? [] : [`${name}.${k} has the wrong type`];
  });
};

const BUSINESS_FIELDS: Record<string, (v: unknown) => boolean> = {
  ownerId: (v) => typeof v === 'string',
  name: (v) => typeof v === 'string',
  location: (v) => typeof v === 'string',
  description: (v) => typeof v === 'string',
  contactInfo: (v) => typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string'),
  specialties: (v) => v === null || typeof v === 'string',
  activeRoosters: (v) => v === null || Number.isInteger(v),
};
const businessProblems = (d: Record<string, unknown>): string[] => [
  ...(typeof d.ownerId === 'string' ? [] : ['data.ownerId must be a string']),
  ...(typeof d.created === 'boolean' ? [] : ['data.created must be a boolean']),
  ...(typeof d.changes === 'object' && d.changes !== null
    ? Object.entries(d.changes).flatMap(([k, v]) => (BUSINESS_FIELDS[k] ? (BUSINESS_FIELDS[k](v) ? [] : [`data.changes.${k} has the wrong type`]) : [`data.changes.${k} is not a business field`]))
    : ['data.changes must be an object']),
];

const CONTRACTS: Record<DomainEvent['type'], Contract> = {
  UserRegistered: {
    current: 1,
    check: (d) => [
      ...(typeof d.username === 'string' ? [] : ['data.username must be a string']),
      ...(typeof d.email === 'string' ? [] : ['data.email must be a string']),
      ...(isRole(d.role) ? [] : ['data.role must be a known role']),
      ...profileProblems(d.profileInfo, 'data.profileInfo', false),
    ],
  },
  UserProfileUpdated: { current: 1, check: (d) => profileProblems(d.changes, 'data.changes', true) },
  UserRoleChanged: {
    current: 1,
    check: (d) => (isRole(d.from) && isRole(d.to) ? [] : ['data.from and data.to must be known roles']),
  },
  UserTokensRevoked: {
    current: 1,
    check: (d) => [
      ...(Number.isInteger(d.tokenVersion) && (d.tokenVersion as number) > 0 ? [] : ['data.tokenVersion must be a positive integer']),
      ...((TOKEN_REVOCATION_REASONS as readonly unknown[]).includes(d.reason) ? [] : [`data.reason must be one of ${TOKEN_REVOCATION_REASONS.join(', ')}`]),
    ],
  },
  VenueSynced: { current: 1, check: (d) => businessProblems(d) },
  GalleraSynced: { current: 1, check: (d) => businessProblems(d) },
  ...(Object.fromEntries(Object.entries(PETS_PAYLOAD_CHECKS).map(([type, check]) => [type, { current: 1, check }])) as Record<PetsEvent['type'], Contract>),
  ...(Object.fromEntries(Object.entries(CONNECTORS_PAYLOAD_CHECKS).map(([type, check]) => [type, { current: 1, check }])) as Record<ConnectorsEvent['type'], Contract>),
};

export class UnknownEventTypeError extends Error {
  readonly code = 'UNKNOWN_EVENT_TYPE';
  constructor(readonly type: string) {
    super(`unknown event type ${type}`);
  }
}

export function isKnownEventType(type: string): type is DomainEvent['type'] {
  return Object.prototype.hasOwnProperty.call(CONTRACTS, type);
}

/**
 * Reads an event as published: checks the envelope, upcasts an older payload to
 * the current schema version, then checks the payload against its contract.
 */
export function parseEvent(raw: unknown): DomainEvent {
  const envelope = validateEnvelope(raw);
  if (!isKnownEventType(envelope.type)) throw new UnknownEventTypeError(envelope.type);
  const contract = CONTRACTS[envelope.type];
  if (envelope.schemaVersion > contract.current) {
    throw new InvalidEnvelopeError([`${envelope.type} v${envelope.schemaVersion} is newer than this reader (v${contract.current})`]);
  }
  let data = envelope.data as Record<string, unknown>;
  for (let v = envelope.schemaVersion; v < contract.current; v++) {
    const up = contract.upcasters?.[v];
    if (!up) throw new InvalidEnvelopeError([`no upcaster for ${envelope.type} v${v}`]);
    data = up(data);
  }
  const problems = contract.check(data);
  if (problems.length) throw new InvalidEnvelopeError(problems);
  return { ...envelope, schemaVersion: contract.current, data } as unknown as DomainEvent;
}

export function currentSchemaVersion(type: DomainEvent['type']): number {
  return CONTRACTS[type].current;
}

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
