import type { BoundedContext } from '@ripple/contracts';

/** The streams the change feed follows: one projection each (a runner consumes one context). */
export const FEED_SOURCES: readonly BoundedContext[] = ['profiles', 'venues', 'pets', 'connectors'];

export const feedProjectionName = (source: BoundedContext) => `change-feed-${source}`;

/** NOTIFY channel: sent after every feed transaction commits. */
export const FEED_CHANNEL = 'gateway_changes';

/** Serializes feed writes so positions become visible in the order they were taken. */
export const FEED_WRITE_LOCK = 'ripple-gateway-feed-write';
