import type { EntityManager } from 'typeorm';
import type { BoundedContext, DomainEvent } from '@ripple/contracts';
import type { ApplyMode, DeferredWrite, Projection, Statement, StatementRows, TableMap } from '@ripple/projections';
import { BatchProjection } from '@ripple/service-host';
import { batchScopesStatement, writeFeedBatch } from './feed-batch';
import { FEED_WRITE_LOCK, feedProjectionName } from './feed-sources';

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
@BatchProjection()
export class ChangeFeedProjection implements Projection {
  readonly name: string;
  readonly tables = [];
  // Held to commit: the next feed writer takes its positions only after these are visible.
  readonly locks = [FEED_WRITE_LOCK];

  constructor(readonly source: BoundedContext) {
    this.name = feedProjectionName(source);
  }

  // The scopes of the batch's records, read with the batch's BEGIN.
  reads(events: DomainEvent[]): Statement[] {
    return [batchScopesStatement(events)];
  }

  apply(tx: EntityManager, events: DomainEvent[], _t: TableMap, _mode: ApplyMode, read: StatementRows): Promise<DeferredWrite[]> {
    return writeFeedBatch(tx, events, this.source, read);
  }
}
