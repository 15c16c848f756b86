import type { RunTrigger } from '@ripple/contracts';
import type { RetryNotice } from './http/upstream-client';
import type { DagNode } from './dag';

/** An entity type a connector imports: its dependencies form a DAG. */
export interface EntityDefinition extends DagNode {
  /** `incremental` entities get the cursor the last successful run ended with. */
  sync: 'full' | 'incremental';
}

export interface FetchedPage {
  records: unknown[];
  /** How many records the upstream says there are in all, when it says. */
  total: number | null;
  /** Where the next incremental run should start, when the upstream gives one. */
  cursor?: string;
}

export interface RunInfo {
  runId: string;
  connector: string;
  trigger: RunTrigger;
  signal: AbortSignal;
}

export interface FetchContext {
  cursor: string | null;
  signal: AbortSignal;
  onRetry: (notice: RetryNotice) => void;
}

/**
 * What a connector supplies; the framework does the rest (ordering, parallel
 * levels, progress, run records, events, locking, triggers). `P` is the run's
 * plan as `prepare` decides it (for the catalog: the version being written).
 */
export interface ConnectorDefinition<P = unknown> {
  name: string;
  entities: readonly EntityDefinition[];
  prepare(run: RunInfo): Promise<P>;
  fetch(entity: string, ctx: FetchContext): AsyncIterable<FetchedPage>;
  stage(entity: string, page: FetchedPage, pageNumber: number, plan: P, run: RunInfo): Promise<void>;
  /** After every page of an entity is staged (e.g. drop staged versions past the kept ones). */
  staged?(entity: string, plan: P, run: RunInfo): Promise<void>;
  /** Maps one entity's staged records into their destination; returns how many were written. */
  transform(entity: string, plan: P, run: RunInfo): Promise<number>;
  /** Everything is transformed: validate, switch, publish. Throwing fails the run. */
  complete(plan: P, run: RunInfo): Promise<void>;
}
