import type { DataSource, EntityManager } from 'typeorm';
import { activeTraceparent } from '@ripple/observability';
import { currentSchemaVersion, uuidv7, type CausationContext, type DomainEvent, type EventEnvelope } from '@ripple/contracts';
import { StreamVersionConflictError } from './errors';
import { notifyAfterCommit } from './notify-after-commit';
import { queryGrouped } from './grouped';
import { isDataSource, queryPrepared } from './prepared';
import { outboxChannel, quoteIdent } from './schema';

/** A transaction, or the pool for a single statement. */
export type Queryable = Pick<EntityManager, 'query'>;

/** An event as a decide function returns it: the store adds the envelope. */
export type NewEvent<E extends DomainEvent = DomainEvent> = Pick<E, 'type' | 'data'>;

export interface AppendRequest<E extends DomainEvent> {
  aggregateType: string;
  aggregateId: string;
  /** The version the caller's decision was based on (0 for a new stream). */
  expectedVersion: number;
  events: NewEvent<E>[];
  context: CausationContext;
  now?: Date;
}

interface EventRow {
  id: string;
  stream_id: string;
  aggregate_type: string;
  version: number;
  type: string;
  schema_version: number;
  data: unknown;
  correlation_id: string;
  causation_id: string;
  actor: string;
  occurred_at: Date;
  traceparent: string | null;
}

export function rowToEnvelope(r: EventRow): EventEnvelope {
  const e: EventEnvelope = {
    id: r.id,
    type: r.type,
    schemaVersion: r.schema_version,
    aggregateType: r.aggregate_type,
    aggregateId: r.stream_id,
    aggregateVersion: r.version,
    occurredAt: r.occurred_at.toISOString(),
    correlationId: r.correlation_id,
    causationId: r.causation_id,
    actor: r.actor,
    data: r.data,
  };
  if (r.traceparent) e.traceparent = r.traceparent;
  return e;
}

/**
 * What an append hands this process's outbox relay once it is committed (the
 * `local` of notifyAfterCommit): the events as appended and, once the append's
 * statement has returned, where they wait in the outbox.
 */
export interface Appended {
  events: EventEnvelope[];
  outbox?: AppendedOutbox;
}

export interface AppendedOutbox {
  /** The events' outbox rows (positions), and the transaction that wrote them (their xmin, for the relay's mark). */
  positions: string[];
  xmin: string;
  /**
   * True if, when the events were appended, the event before the first of each
   * of their streams had left the outbox (so had been published): they may then
   * be published straight from memory, ahead of older rows of other streams,
   * without breaking any aggregate's order. False sends them the outbox's way.
   */
  clear: boolean;
}

/** A statement written with an append (`appendAtomically`): `$?1`, `$?2`, … are its own `params`. */
export interface Write {
  sql: string;
  params: unknown[];
}

/** A service's append-only event log in its own schema, and its outbox (`moveOutboxToItsOwnTable`). */
export class EventStore {
  private readonly table: string;
  private readonly outbox: string;
  constructor(readonly schema: string) {
    this.table = `${quoteIdent(schema)}.events`;
    this.outbox = `${quoteIdent(schema)}.outbox`;
    // Each lookup a LATERAL with LIMIT, which is not flattened into a join: as a join, the generic plan made
    // while the table was small (a fresh service) seq-scanned the event store on every append ever after.
    this.waitingSql = `waiting AS (SELECT 1 FROM (SELECT stream_id AS s, min(version) - 1 AS v FROM jsonb_to_recordset($1::jsonb) AS a(stream_id text, version int) GROUP BY 1) a
        CROSS JOIN LATERAL (SELECT position FROM ${this.table} e WHERE e.stream_id = a.s AND e.version = a.v LIMIT 1) e
        WHERE EXISTS (SELECT 1 FROM ${this.outbox} o WHERE o.position = e.position))`;
  }

  /**
   * Appends in the caller's transaction (so the read model commits with it).
   * A concurrent writer at the same version surfaces as StreamVersionConflictError,
   * and the caller's transaction stays usable (it may decide again).
   */
  async append<E extends DomainEvent>(tx: EntityManager, req: AppendRequest<E>): Promise<EventEnvelope[]> {
    return this.appendMany(tx, [req]);
  }

  /**
   * Appends to several streams in one statement (a reactor's whole batch):
   * insert, skip rows whose (stream, version) exists, in one round trip; the relay
   * is woken once the caller's transaction commits. If any row was skipped, the
   * rows this call inserted are removed again and the first conflicting stream is reported.
   */
  async appendMany<E extends DomainEvent>(tx: EntityManager, reqs: AppendRequest<E>[]): Promise<EventEnvelope[]> {
    const envelopes = reqs.flatMap((req) => this.envelopes(req));
    if (envelopes.length === 0) return [];
    const insert = this.insertOf(envelopes);
    const [{ ids, ...outbox }] = await tx.query(
      `WITH ins AS (${insert.sql} ON CONFLICT ON CONSTRAINT events_stream_version_uq DO NOTHING RETURNING id, position), ${this.waitingSql}
       SELECT coalesce(array_agg(id::text), '{}') AS ids, ${this.outboxColumns} FROM ins`,
      insert.params,
    );
    if (ids.length === envelopes.length) {
      notifyAfterCommit(tx, outboxChannel(this.schema), String(envelopes.length), { events: envelopes, outbox } satisfies Appended);
      return envelopes;
    }
    if (ids.length > 0) {
      await tx.query(`WITH d AS (DELETE FROM ${this.table} WHERE id = ANY($1::uuid[]) RETURNING position) DELETE FROM ${this.outbox} WHERE position IN (SELECT position FROM d)`, [ids]);
    }
    const inserted = new Set<string>(ids);
    const lost = envelopes.find((e) => !inserted.has(e.id))!;
    const req = reqs.find((r) => r.aggregateId === lost.aggregateId)!;
    throw new StreamVersionConflictError(req.aggregateId, req.expectedVersion, await this.currentVersion(tx, req.aggregateId));
  }

  /**
   * The append of `reqs` as a statement that the caller runs later in `tx`, e.g.
   * a projection's write deferred to its batch's COMMIT (`text` and `values`,
   * undefined when there is nothing to append); the caller hands its rows to
   * `returned`. The relay is woken once `tx` commits. A row already there at one
   * of the versions fails the statement, and with it the transaction: meant for
   * writers that hold their aggregates' locks, where that cannot happen but by a bug.
   */
  appendLater<E extends DomainEvent>(tx: EntityManager, reqs: AppendRequest<E>[]): { text: string; values: unknown[]; returned(rows: Record<string, unknown>[]): void } | undefined {
    const envelopes = reqs.flatMap((req) => this.envelopes(req));
    if (envelopes.length === 0) return undefined;
    const insert = this.insertOf(envelopes);
    const appended: Appended = { events: envelopes };
    notifyAfterCommit(tx, outboxChannel(this.schema), String(envelopes.length), appended);
    return {
      text: `WITH ins AS (${insert.sql} RETURNING position), ${this.waitingSql} SELECT ${this.outboxColumns} FROM ins`,
      values: insert.params,
      returned: ([outbox]) => (appended.outbox = outbox as unknown as AppendedOutbox),
    };
  }

  /**
   * Appends one stream's events and writes the caller's read model in ONE statement
   * (data-modifying CTEs, which run whether or not they are read): atomic without a
   * transaction, one round trip; the relay is woken once it is committed. `writes`
   * are SQL statements that may use `$?1`, `$?2`, … for their own `params`.
   * Given the pool, the statement shares its round trip and its commit with the
   * appends of this process that queue meanwhile (`queryGrouped`).
   * Given as a function, they are made from the very envelopes appended (a read model
   * folded from them, timestamps included). A concurrent append at the same version
   * fails the whole statement with StreamVersionConflictError, and nothing is written;
   * any other unique violation (e.g. of a `writes` table) is rethrown as it came.
   */
  async appendAtomically<E extends DomainEvent>(db: EntityManager | DataSource, req: AppendRequest<E>, writes: Write[] | ((events: EventEnvelope[]) => Write[])): Promise<{ events: EventEnvelope[] }> {
    const envelopes = this.envelopes(req);
    const insert = this.insertOf(envelopes);
    const params = [...insert.params];
    const ctes = (typeof writes === 'function' ? writes(envelopes) : writes).map((w, i) => {
      const offset = params.length;
      params.push(...w.params);
      return `w${i} AS (${w.sql.replace(/\$\?(\d+)/g, (_, n: string) => `$${offset + Number(n)}`)})`;
    });
    try {
      const text = `WITH ins AS (${insert.sql} RETURNING position)${ctes.map((c) => `, ${c}`).join('')}, ${this.waitingSql} SELECT ${this.outboxColumns} FROM ins`;
      // Alone, the statement is its own transaction: concurrent ones of this process share a round trip and a commit.
      const [outbox] = isDataSource(db) ? await queryGrouped<AppendedOutbox>(db, text, params) : await queryPrepared<AppendedOutbox>(db, text, params);
      notifyAfterCommit(db, outboxChannel(this.schema), String(envelopes.length), { events: envelopes, outbox } satisfies Appended);
      return { events: envelopes };
    } catch (err) {
      if ((err as { constraint?: string }).constraint !== 'events_stream_version_uq') throw err;
      throw new StreamVersionConflictError(req.aggregateId, req.expectedVersion, await this.currentVersion(db, req.aggregateId));
    }
  }

  /**
   * For each stream of an append (its rows in `insertOf`'s $1), its event before the
   * first appended if it still waits in the outbox: two index lookups per stream.
   * An event leaves the outbox only once it is published (OutboxRelay marks it
   * after its PubAck), and the relay publishes a stream's events in order, so
   * if that one has left, so have all before it.
   */
  private readonly waitingSql: string;

  /** AppendedOutbox's columns, selected from the `ins` of an append that returns its positions. */
  private readonly outboxColumns = `array_agg(position::text) AS positions, pg_current_xact_id()::xid::text AS xmin, NOT EXISTS (SELECT 1 FROM waiting) AS clear`;

  /**
   * The INSERT of `envelopes`: its one parameter ($1) is the rows as JSON, one object per event,
   * which JSON.stringify writes in one native pass (twelve array parameters cost pg's driver a
   * JavaScript escape of every element, data included; PostgreSQL's own work is the same).
   */
  private insertOf(envelopes: EventEnvelope[]): { sql: string; params: unknown[] } {
    const rows = envelopes.map((e) => ({
      id: e.id, stream_id: e.aggregateId, aggregate_type: e.aggregateType, version: e.aggregateVersion, type: e.type, schema_version: e.schemaVersion,
      data: e.data, correlation_id: e.correlationId, causation_id: e.causationId, actor: e.actor, occurred_at: e.occurredAt, traceparent: e.traceparent,
    }));
    return {
      sql: `INSERT INTO ${this.table} (id, stream_id, aggregate_type, version, type, schema_version, data, correlation_id, causation_id, actor, occurred_at, traceparent)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, stream_id text, aggregate_type text, version int, type text, schema_version int,
           data jsonb, correlation_id text, causation_id text, actor text, occurred_at timestamptz, traceparent text)`,
      params: [JSON.stringify(rows)],
    };
  }

  private envelopes<E extends DomainEvent>(req: AppendRequest<E>): EventEnvelope[] {
    const occurredAt = (req.now ?? new Date()).toISOString();
    // The cause's trace: a reactor's event continues its causing event's; a command's, the request's span.
    const traceparent = req.context.traceparent ?? activeTraceparent();
    return req.events.map((e, i) => ({
      id: uuidv7(),
      type: e.type,
      schemaVersion: currentSchemaVersion(e.type),
      aggregateType: req.aggregateType,
      aggregateId: req.aggregateId,
      aggregateVersion: req.expectedVersion + i + 1,
      occurredAt,
      correlationId: req.context.correlationId,
      causationId: req.context.causationId,
      actor: req.context.actor,
      traceparent,
      data: e.data,
    }));
  }

  async currentVersion(tx: Queryable, streamId: string): Promise<number> {
    const [row] = await tx.query(`SELECT coalesce(max(version), 0)::int AS v FROM ${this.table} WHERE stream_id = $1`, [streamId]);
    return row.v;
  }

  async readStream(tx: EntityManager, streamId: string, fromVersion = 1): Promise<EventEnvelope[]> {
    const rows: EventRow[] = await tx.query(`SELECT * FROM ${this.table} WHERE stream_id = $1 AND version >= $2 ORDER BY version`, [streamId, fromVersion]);
    return rows.map(rowToEnvelope);
  }

  /**
   * Puts everything from `fromPosition` (and, if given, published since `publishedSince`)
   * back in the outbox, so the relay sends it again (after broker data loss); returns how
   * many events will go out. "Published since" is every position from the lowest the relay
   * marked in that minute or later (`outbox_published`), so a few published just before
   * may go out again too. Rows still in the outbox are rewritten: the relay deletes a row
   * only if it is the version it read (its xmin), and an event it published a moment ago
   * may still wait for its mark (see OutboxRelay).
   */
  async scheduleRepublish(tx: EntityManager, fromPosition = 0, publishedSince?: Date): Promise<number> {
    const published = `${quoteIdent(this.schema)}.outbox_published`;
    const [{ n }] = await tx.query(
      `WITH since AS (
         -- NULL when nothing was marked since then: no event qualifies by its publish time.
         SELECT CASE WHEN $2::timestamptz IS NULL THEN 0 ELSE (SELECT min(low_position) FROM ${published} WHERE minute >= date_trunc('minute', $2::timestamptz)) END AS low
       ), again AS (
         SELECT position FROM ${this.table}, since WHERE position >= $1::bigint AND position >= since.low
         UNION SELECT position FROM ${this.outbox} WHERE position >= $1::bigint
       ), u AS (INSERT INTO ${this.outbox} (position) SELECT position FROM again ON CONFLICT (position) DO UPDATE SET position = excluded.position RETURNING 1)
       SELECT count(*)::int AS n FROM u`,
      [fromPosition, publishedSince?.toISOString() ?? null],
    );
    notifyAfterCommit(tx, outboxChannel(this.schema), 'republish');
    return n;
  }

  /**
   * Keeps `outbox_published` from growing by a row for every minute forever: the minutes of each
   * day older than `keepDays` become one row, keyed at the day's last minute and holding the day's
   * lowest position. "Published since T" stays a superset of what it was (every minute at or after
   * T's falls in a row keyed at or after it, whose position is no higher), so a republish sends at
   * most the rest of T's day again, which the consumers skip by version. Returns the rows removed.
   */
  async compactPublishedLog(db: Queryable, keepDays = 7): Promise<number> {
    const published = `${quoteIdent(this.schema)}.outbox_published`;
    const [{ removed }] = await db.query(
      `WITH days AS (
         SELECT date_trunc('day', minute) AS day, max(minute) AS last, min(low_position) AS low
         FROM ${published} WHERE minute < date_trunc('day', now()) - make_interval(days => $1::int)
         GROUP BY 1 HAVING count(*) > 1
       ), kept AS (
         UPDATE ${published} p SET low_position = d.low FROM days d WHERE p.minute = d.last
       ), removed AS (
         DELETE FROM ${published} p USING days d WHERE date_trunc('day', p.minute) = d.day AND p.minute < d.last RETURNING 1
       )
       SELECT count(*)::int AS removed FROM removed`,
      [keepDays],
    );
    return removed;
  }
}

export type { EventRow };
