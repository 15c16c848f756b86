import type { EntityManager } from 'typeorm';
import type { BoundedContext, DomainEvent } from '@ripple/contracts';
import type { Projection } from '@ripple/projections';
import { writeFeedBatch } from './feed-batch';
import { FEED_CHANNEL, FEED_WRITE_LOCK, feedProjectionName } from './feed-sources';

/**
 * One stream's events → the change feed: each event becomes one `changes` row
 * plus one audience row per user who may see it, decided from the references
 * the gateway projects itself. Generic over event types, so a stream that
 * starts carrying new events needs no change here.
 *
 * It writes fixed tables (`tables` is empty) shared by every source: a replay
 * re-derives scopes idempotently and skips changes already in the feed, whose
 * positions clients hold as cursors.
 */
export function changeFeedProjection(source: BoundedContext): Projection {
  return {
    name: feedProjectionName(source),
    source,
    tables: [],
    async apply(tx: EntityManager, events: DomainEvent[]): Promise<void> {
      // Held to commit: the next feed writer takes its positions only after these are visible.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [FEED_WRITE_LOCK]);
      await writeFeedBatch(tx, events);
      await tx.query('SELECT pg_notify($1, $2)', [FEED_CHANNEL, source]);
    },
  };
}
