import type { Audience, RecordChange } from './audience';
import type { EventEnvelope } from './envelope';
import type { TObject } from './schema';

type Payload = Record<string, unknown>;

/** Everything a consumer relies on about one event type. */
export interface EventContract {
  /** The payload (`data`) at the current version: its type, its runtime check and its published JSON Schema. */
  schema: TObject;
  /** Which users the event concerns (see `Audience`). */
  audience: Audience;
  change: RecordChange;
  /** The current schema version; 1 when absent. */
  version?: number;
  /** upcasters[n] turns a version-n payload into version n+1. */
  upcasters?: Record<number, (data: Payload) => Payload>;
  /** A rule JSON Schema cannot state (between two fields): the problems it finds in a payload that passed the schema. */
  refine?: (data: Payload) => string[];
}

/** An event as it travels, whatever its type (scripts/generate-schemas.js writes the envelope's JSON Schema from it). */
export type AnyEvent = EventEnvelope<string, Payload>;
