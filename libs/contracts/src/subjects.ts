/**
 * Streams and subjects, with a namespace so parallel runs share one server:
 * namespace "" → stream PROFILES, subjects profiles.>; namespace "t42" →
 * stream t42_PROFILES, subjects t42.profiles.>.
 */
export const BOUNDED_CONTEXTS = ['profiles', 'venues', 'pets', 'connectors'] as const;
export type BoundedContext = (typeof BOUNDED_CONTEXTS)[number];

const NAMESPACE = /^[A-Za-z0-9_-]*$/;

export function assertNamespace(namespace: string): void {
  if (!NAMESPACE.test(namespace)) throw new Error(`namespace "${namespace}" may hold only letters, digits, _ and -`);
}

export function streamName(namespace: string, context: BoundedContext): string {
  assertNamespace(namespace);
  return (namespace ? `${namespace}_` : '') + context.toUpperCase();
}

export function subjectRoot(namespace: string, context: BoundedContext): string {
  assertNamespace(namespace);
  return (namespace ? `${namespace}.` : '') + context;
}

/** `<root>.<aggregate>.<aggregateId>.<EventType>` */
export function eventSubject(namespace: string, context: BoundedContext, aggregateType: string, aggregateId: string, eventType: string): string {
  return `${subjectRoot(namespace, context)}.${aggregateType}.${aggregateId}.${eventType}`;
}

export function allEventsSubject(namespace: string, context: BoundedContext): string {
  return `${subjectRoot(namespace, context)}.>`;
}
