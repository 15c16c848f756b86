import { decodeEvent, isKnownEventType, UnknownEventTypeError, validateEnvelope, type DomainEvent } from '@ripple/contracts';

/**
 * Decodes a stream message for a projection. An event type this build does not
 * know (a newer producer) is not an error: its envelope still moves the
 * aggregate's checkpoint, so later known events are not held back as a gap,
 * but projections never see it (applyBatch filters with `isKnownEventType`).
 * A malformed envelope or payload still throws.
 */
export function decodeForProjection(bytes: Uint8Array): DomainEvent {
  try {
    return decodeEvent(bytes);
  } catch (err) {
    if (!(err instanceof UnknownEventTypeError)) throw err;
    return validateEnvelope(JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'))) as DomainEvent;
  }
}

export const isForProjections = (e: DomainEvent) => isKnownEventType(e.type);
