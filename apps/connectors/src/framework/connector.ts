import type { RunTrigger } from '@ripple/contracts';
import type { RetryNotice } from './http/upstream-client';
import type { DagNode } from './dag';

/** An entity type a connector imports: its dependencies form a DAG. */
export type EntityDefinition = DagNode;

/**
 * `full`: everything, replacing what the last run brought. `incremental`: only
 * what changed (since each entity's stored cursor, or matching the run's
 * filters), merged into what is there; the connector decides what that means for it.
 */
export const RUN_MODES = ['full', 'incremental'] as const;
export type RunMode = (typeof RUN_MODES)[number];

/** A run as started: which entities, how, and for an incremental run which ones (e.g. one advertiser's campaigns). */
export interface RunOptions {
  only?: readonly string[];
  mode?: RunMode;
  filters?: Record<string, string>;
}

export interface FetchedPage {
  records: unknown[];
  /** How many records the upstream says there are in all, when it says. */
  total: number | null;
  /** Where the next incremental run should start, when the upstream gives one (saved when the run succeeds). */
  cursor?: string;
}

/** Progress an entity reports while it works (the export counts per outcome). */
export interface EntityTracker {
  total(n: number): void;
  count(outcome: string, n?: number): void;
  retry(notice: RetryNotice): void;
  conflict(c: RunConflict): void;
}

/** Something an import found at odds with what is held here, and how it was settled. */
export interface RunConflict {
  kind: string;
  remoteId: string;
  localId?: string;
  detail: string;
}

export interface RunInfo {
  runId: string;
  connector: string;
  trigger: RunTrigger;
  signal: AbortSignal;
  /** The entities this run covers (all of the connector's, or the subset it was started with). */
  entities: readonly string[];
  mode: RunMode;
  filters: Record<string, string> | null;
  /** Incremental runs: each entity's stored cursor (null: none yet, so that entity is fetched whole). */
  since: Record<string, string | null>;
  track(entity: string): EntityTracker;
}

export interface FetchContext {
  runId: string;
  /** Incremental runs: where this entity's last successful run ended. */
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
  /** Connectors sharing a lock key never run at the same time (an import and an export of one upstream). */
  lockKey?: string;
  entities: readonly EntityDefinition[];
  prepare(run: RunInfo): Promise<P>;
  /** Absent for a connector that only pushes (an export): the run goes straight to transform. */
  fetch?(entity: string, ctx: FetchContext): AsyncIterable<FetchedPage>;
  stage?(entity: string, page: FetchedPage, pageNumber: number, plan: P, run: RunInfo): Promise<void>;
  /** After every page of an entity is staged (e.g. drop staged versions past the kept ones). */
  staged?(entity: string, plan: P, run: RunInfo): Promise<void>;
  /** Maps one entity's staged records into their destination; returns how many were written. */
  transform(entity: string, plan: P, run: RunInfo): Promise<number>;
  /** Everything is transformed: validate, switch, publish. Throwing fails the run. */
  complete(plan: P, run: RunInfo): Promise<void>;
}
