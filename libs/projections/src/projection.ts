import { RippleError } from '@ripple/errors';
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
   * What `apply` reads first: statements that run in the batch's first round
   * trip, with its BEGIN, after its locks; their rows reach `apply` as `read`,
   * in order. They see every event of the batch, `apply` only those next in line.
   */
  reads?(events: DomainEvent[], tables: TableMap): Statement[];
  /**
   * True for an event that can change nothing this projection writes, whatever
   * the tables hold (e.g. a profile change to a field it does not copy). Judged
   * on the event alone. The runner holds such events back briefly and applies
   * them with the next batch, or together after a short wait, so a stream of
   * events it ignores costs a transaction now and then rather than one each;
   * their checkpoints still move exactly once and in order, and `apply` may
   * still be handed them (it must leave them without effect).
   */
  ignores?(event: DomainEvent): boolean;
  /**
   * True when every row `apply` writes belongs to one of the batch's aggregates (or is written
   * under `locks`), and it takes no row lock of another aggregate: then two batches with no
   * aggregate in common may be applied at the same time, and commit in either order. In a
   * backlog the runner starts the next full batch as soon as the one before holds its locks,
   * so PostgreSQL commits one while the runner prepares the next. Batches that share an
   * aggregate still serialize on its lock, and its checkpoint keeps its order.
   */
  disjointBatches?: boolean;
  /**
   * How long events may gather at the broker between this projection's pulls, short of a
   * backlog, for a projection whose readers can wait a little (a copy nobody is watching change).
   * Unpaced, a pull stays registered and nats-server hands each event over as it is stored: one
   * write to this process, and one wake-up of it, per event, whether the projection has work for
   * it or ignores it. Paced, each pull starts this long after the one before ended (at once while
   * a batch or more waits), and asks for as many events as the last delivery said were waiting
   * (one when none were), so it ends as soon as they are handed over, together. The first event
   * after a lull comes at once; those behind it wait up to about twice this long.
   */
  paceMs?: number;
  /**
   * Writes the events. What it returns instead of running is written with the
   * batch's COMMIT, in the same round trip (after anything `apply` ran itself,
   * before the checkpoints): a projection whose writes need no answer before the
   * commit costs two round trips a batch, whatever it writes.
   */
  apply(tx: EntityManager, events: DomainEvent[], tables: TableMap, mode: ApplyMode, read: StatementRows): Promise<void | DeferredWrite[]>;
  /**
   * The writes of a live batch decided without reading anything first, when the projection
   * can (from what it remembers of the batches it applied): the batch then costs one round
   * trip instead of two. The runner assumes every event is next in line for its aggregate
   * and checks that, and `holds`, once the batch holds its locks; if either is false the
   * transaction is rolled back and the batch applied as usual (`reads`, then `apply`). So
   * `holds` must be false whenever the writes would differ from what `apply` would write from
   * the tables as they are. Undefined when it cannot tell; it must not query `tx` (only
   * hand it to an after-commit wake-up from a write's `returned`).
   */
  speculate?(tx: EntityManager, events: DomainEvent[], tables: TableMap): Speculation | undefined;
  /**
   * For a projection whose rows are a pure fold of its events: a fresh, empty fold. A replay
   * then rebuilds its empty shadow tables by folding each event as it is read, and writes
   * the rows once, at the end, instead of holding batches of events for `apply` (up to
   * `ReplayOptions.foldLimit` aggregates: then it writes them, and goes on with `apply`). It must end with the rows
   * `apply` (in `replay` mode) would have written from the same events. The catch-up after
   * the rebuild still goes through `apply`.
   */
  replayFold?(): ReplayFold;
}

/**
 * A fold of a projection's events in memory, one state per record it writes. A replay holds
 * it instead of a batch of events, so nothing it decodes outlives its fold.
 */
export interface ReplayFold {
  /** Folds the next event (of a known type, the next version of its aggregate). */
  add(event: DomainEvent): void;
  /**
   * Writes of every row that changed since the last call, into `tables`; built before it returns
   * (later adds do not change them). The replay runs them side by side, each in a transaction of
   * its own, so none may depend on another: one statement per table lets PostgreSQL write the
   * tables on as many cores.
   */
  flush(tables: TableMap): Statement[];
}

/** A live batch's writes, decided from what the projection remembers (see Projection.speculate). */
export interface Speculation {
  /** An SQL boolean expression (and its values) true when what it remembered still holds. */
  holds?: Statement;
  /** What `apply` would write (without the checkpoints), in order. */
  writes: DeferredWrite[];
}

/** Rows of each statement, in order. */
export type StatementRows = Record<string, unknown>[][];

/** A statement and its parameters ($1, $2, ...). */
export interface Statement {
  text: string;
  values?: readonly unknown[];
}

/**
 * A write left for the batch's last round trip (see Projection.apply). If it
 * fails, the batch fails as a whole, as if `apply` had thrown. `returned` gets
 * its rows before the commit is reported to anyone (an after-commit wake-up
 * registered there still goes out).
 */
export interface DeferredWrite extends Statement {
  returned?(rows: Record<string, unknown>[]): void;
}

/** Thrown by `apply` for an event that can never succeed: dead-lettered at once, not retried. */
export class PermanentProjectionError extends RippleError {
  readonly code = 'PERMANENT_PROJECTION_ERROR';
  /** When a retry of its dead letter is answered with it. */
  readonly httpStatus = 422;
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

export const checkpointTable = (projection: string) => `${projection.replace(/-/g, '_')}__checkpoints`;
