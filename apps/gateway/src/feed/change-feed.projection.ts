import type { EntityManager } from 'typeorm';
import type { BoundedContext, DomainEvent } from '@ripple/contracts';
import type { ApplyMode, DeferredWrite, Projection, Speculation, Statement, StatementRows, TableMap } from '@ripple/projections';
import { BatchProjection } from '@ripple/service-host';
import { batchScopesStatement, scopeKey, speculateFeedBatch, writeFeedBatch, type ScopeRow } from './feed-batch';
import type { Refs } from './change-scope';
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

  apply(tx: EntityManager, events: DomainEvent[], _t: TableMap, mode: ApplyMode, read: StatementRows): Promise<DeferredWrite[]> {
    return writeFeedBatch(tx, events, this.source, read, mode === 'live' ? this.remember : undefined);
  }

  // A live batch whose records' scopes this instance saw commit is written in one round trip,
  // on the condition that they still stand so (another instance, or a replay, may have moved them).
  speculate(tx: EntityManager, events: DomainEvent[]): Speculation | undefined {
    return speculateFeedBatch(tx, events, this.source, (type, id) => this.scopes.get(scopeKey(type, id)), this.remember);
  }

  /** The scopes of the records of the latest live batches, as committed (most recent last). */
  private readonly scopes = new Map<string, Refs>();

  private readonly remember = (rows: ScopeRow[]) => {
    for (const { aggregate_type, aggregate_id, refs } of rows) {
      const k = scopeKey(aggregate_type, aggregate_id);
      this.scopes.delete(k);
      this.scopes.set(k, refs);
      if (this.scopes.size > REMEMBERED_SCOPES) this.scopes.delete(this.scopes.keys().next().value!);
    }
  };
}

/** Records whose scopes a feed projection remembers: beyond them a batch reads first, as before. */
const REMEMBERED_SCOPES = 50_000;
