import { escapeLiteral } from 'pg';
import type { EntityManager } from 'typeorm';
import type { BoundedContext, DomainEvent } from '@ripple/contracts';

/** Maps a live table name to the qualified table to write: the live one, or its rebuild shadow. */
export type TableMap = (table: string) => string;

/**
 * `live`: applying as events arrive (or retrying a dead letter). `replay`:
 * rebuilding into shadow tables, where a reactor must not append events or touch
 * tables outside `tables` — its output is already in the streams.
 */
export type ApplyMode = 'live' | 'replay';

/**
 * A read model fed by one bounded context's stream. `apply` receives events in
 * stream order, already filtered to those not yet applied, and writes them in the
 * caller's transaction (batch the writes: one statement per table, not per event).
 */
export interface Projection {
  /** kebab-case, unique per service: "venue-directory". */
  name: string;
  source: BoundedContext;
  /** Live tables this projection owns, unqualified; replay rebuilds exactly these. */
  tables: string[];
  /**
   * Advisory locks (by name) that `apply` needs held to commit, e.g. to serialize
   * writers of a table several projections share. Taken before anything is read,
   * in the batch's first statement, so they cost no round trip of their own.
   */
  locks?: readonly string[];
  /**
   * What `apply` reads first, as statements whose values are literals (see
   * `sqlText`, `sqlTextArray`): they run in the batch's first round trip, with
   * its BEGIN, after its locks, and their rows reach `apply` as `read`, in
   * order. They see every event of the batch, `apply` only those next in line.
   */
  reads?(events: DomainEvent[], tables: TableMap): string[];
  apply(tx: EntityManager, events: DomainEvent[], tables: TableMap, mode: ApplyMode, read: StatementRows): Promise<void>;
}

/** Rows of each statement, in order. */
export type StatementRows = Record<string, unknown>[][];

/** A string as an SQL literal (for statements that share a round trip with BEGIN, which take no parameters). */
export const sqlText = (value: string) => escapeLiteral(value);

/** Strings as an SQL text[] literal. */
export const sqlTextArray = (values: readonly string[]) => `ARRAY[${values.map(escapeLiteral).join(',')}]::text[]`;

/** Integers as an SQL int[] literal. */
export const sqlIntArray = (values: readonly number[]) => {
  for (const v of values) if (!Number.isSafeInteger(v)) throw new Error(`not an integer: ${v}`);
  return `ARRAY[${values.join(',')}]::int[]`;
};

/** Thrown by `apply` for an event that can never succeed: dead-lettered at once, not retried. */
export class PermanentProjectionError extends Error {
  readonly code = 'PERMANENT_PROJECTION_ERROR';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

export const checkpointTable = (projection: string) => `${projection.replace(/-/g, '_')}__checkpoints`;
