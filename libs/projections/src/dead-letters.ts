import { RippleError } from '@ripple/errors';
import type { DataSource, EntityManager } from 'typeorm';
import { parseEvent, uuidv7, type DomainEvent } from '@ripple/contracts';
import { applyBatch, liveTables } from './apply-batch';
import { checkpointTable, type Projection } from './projection';
import { qualify } from './schema';

export type DeadLetterStatus = 'open' | 'resolved' | 'discarded';

export interface DeadLetter {
  id: string;
  projection: string;
  eventId: string;
  eventType: string | null;
  aggregateId: string | null;
  aggregateVersion: number | null;
  streamSequence: number | null;
  error: string;
  attempts: number;
  status: DeadLetterStatus;
  /** Set when this event was parked behind an earlier dead letter of the same aggregate. */
  blockedBy: string | null;
  correlationId: string | null;
  createdAt: string;
  updatedAt: string;
  envelope: unknown;
}

export class DeadLetterNotFoundError extends RippleError {
  readonly code = 'DEAD_LETTER_NOT_FOUND';
  readonly httpStatus = 404;
  constructor(readonly id: string) {
    super(`dead letter ${id} not found`);
  }
}
export class DeadLetterNotOpenError extends RippleError {
  readonly code = 'DEAD_LETTER_NOT_OPEN';
  readonly httpStatus = 409;
  constructor(readonly id: string, readonly status: DeadLetterStatus) {
    super(`dead letter ${id} is ${status}`);
  }
}
export class DeadLetterNotHeadError extends RippleError {
  readonly code = 'DEAD_LETTER_NOT_HEAD';
  readonly httpStatus = 409;
  constructor(readonly id: string, readonly headId: string) {
    super(`dead letter ${id} is parked behind ${headId}: discard or retry that one first`);
  }
}
export class DeadLetterRetryFailedError extends RippleError {
  readonly code = 'DEAD_LETTER_RETRY_FAILED';
  readonly httpStatus = 422;
  constructor(readonly id: string, readonly reason: string) {
    super(`retry of dead letter ${id} failed: ${reason}`);
  }
}

export interface NewDeadLetter {
  projection: string;
  eventId: string;
  event?: DomainEvent;
  raw?: string;
  streamSequence?: number;
  error: string;
  attempts: number;
  blockedBy?: string;
}

const toDeadLetter = (r: Record<string, any>): DeadLetter => ({
  id: r.id,
  projection: r.projection,
  eventId: r.event_id,
  eventType: r.event_type,
  aggregateId: r.aggregate_id,
  aggregateVersion: r.aggregate_version,
  streamSequence: r.stream_sequence === null ? null : Number(r.stream_sequence),
  error: r.error,
  attempts: r.attempts,
  status: r.status,
  blockedBy: r.blocked_by,
  correlationId: r.correlation_id,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
  envelope: r.envelope ?? r.raw,
});

/**
 * Events a projection could not apply. They are visible, and can be retried
 * (together with the events of the same aggregate parked behind them, in order)
 * or discarded. Recording is idempotent per (projection, event).
 */
export class DeadLetterStore {
  private readonly table: string;
  private readonly projections: () => Projection[];
  /** `projections`: those whose letters can be retried, or how to find them (once the app knows them). */
  constructor(private readonly dataSource: DataSource, private readonly schema: string, projections: Projection[] | (() => Projection[])) {
    this.table = qualify(schema, 'dead_letters');
    this.projections = typeof projections === 'function' ? projections : () => projections;
  }

  async record(tx: EntityManager | DataSource, d: NewDeadLetter): Promise<void> {
    const e = d.event;
    await tx.query(
      `INSERT INTO ${this.table} (id, projection, event_id, event_type, aggregate_id, aggregate_version, stream_sequence, envelope, raw, error, attempts, blocked_by, correlation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (projection, event_id) DO UPDATE SET error = EXCLUDED.error, attempts = EXCLUDED.attempts, status = 'open', updated_at = now()`,
      [uuidv7(), d.projection, d.eventId, e?.type ?? null, e?.aggregateId ?? null, e?.aggregateVersion ?? null, d.streamSequence ?? null,
        e ? JSON.stringify(e) : null, e ? null : (d.raw ?? null), d.error, d.attempts, d.blockedBy ?? null, e?.correlationId ?? null],
    );
  }

  /** The open dead letter that blocks an aggregate (the earliest one), if any. */
  async headFor(tx: EntityManager, projection: string, aggregateId: string): Promise<string | undefined> {
    const [row] = await tx.query(
      `SELECT id FROM ${this.table} WHERE projection = $1 AND aggregate_id = $2 AND status = 'open' ORDER BY aggregate_version LIMIT 1`,
      [projection, aggregateId],
    );
    return row?.id;
  }

  async list(filter: { projection?: string; status?: DeadLetterStatus; limit?: number } = {}): Promise<DeadLetter[]> {
    const rows = await this.dataSource.query(
      `SELECT * FROM ${this.table} WHERE ($1::text IS NULL OR projection = $1) AND ($2::text IS NULL OR status = $2)
       ORDER BY created_at, aggregate_version LIMIT $3`,
      [filter.projection ?? null, filter.status ?? null, filter.limit ?? 100],
    );
    return rows.map(toDeadLetter);
  }

  async get(id: string): Promise<DeadLetter> {
    const [row] = await this.dataSource.query(`SELECT * FROM ${this.table} WHERE id = $1`, [id]);
    if (!row) throw new DeadLetterNotFoundError(id);
    return toDeadLetter(row);
  }

  async openCount(projection: string): Promise<number> {
    const [{ n }] = await this.dataSource.query(`SELECT count(*)::int AS n FROM ${this.table} WHERE projection = $1 AND status = 'open'`, [projection]);
    return n;
  }

  /**
   * Re-applies the dead letter's aggregate chain in version order: the head (the
   * event that failed) first, then every event parked behind it. All or nothing:
   * if the head still fails, its error and attempt count are updated and the
   * chain stays parked. Returns the dead letters resolved.
   */
  async retry(id: string): Promise<DeadLetter[]> {
    const letter = await this.get(id);
    if (letter.status !== 'open') throw new DeadLetterNotOpenError(id, letter.status);
    const projection = this.projectionNamed(letter.projection);
    let head = letter;
    try {
      return await this.dataSource.transaction(async (tx) => {
        const chain = await this.lockedChain(tx, letter);
        head = chain[0] ?? letter;
        if (!chain.some((d) => d.id === id)) throw new DeadLetterNotOpenError(id, 'resolved');
        const events = chain.map((d) => parseEvent(d.envelope));
        const outcomes = await applyBatch(tx, this.schema, projection, events, liveTables(this.schema), { respectDeadLetters: false, mode: 'live' });
        const gap = outcomes.findIndex((o) => o === 'gap');
        if (gap >= 0) throw new Error(`event version ${events[gap].aggregateVersion} still waits for an earlier version of ${events[gap].aggregateId}`);
        await tx.query(`UPDATE ${this.table} SET status = 'resolved', updated_at = now() WHERE id = ANY($1::uuid[])`, [chain.map((d) => d.id)]);
        return chain.map((d) => ({ ...d, status: 'resolved' as const }));
      });
    } catch (err) {
      if (err instanceof DeadLetterNotOpenError) throw err;
      const reason = (err as Error).message;
      await this.dataSource.query(`UPDATE ${this.table} SET error = $2, attempts = attempts + 1, updated_at = now() WHERE id = $1`, [head.id, reason]);
      throw new DeadLetterRetryFailedError(id, reason);
    }
  }

  /**
   * The open letters of the letter's aggregate, in version order, read under the
   * same per-aggregate lock the runner takes: nothing can be parked behind the
   * chain while it is being retried.
   */
  private async lockedChain(tx: EntityManager, letter: DeadLetter): Promise<DeadLetter[]> {
    if (letter.aggregateId === null) return [letter];
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1 || $2))', [`${letter.projection}:`, letter.aggregateId]);
    const rows = await tx.query(
      `SELECT * FROM ${this.table} WHERE projection = $1 AND aggregate_id = $2 AND status = 'open' ORDER BY aggregate_version FOR UPDATE`,
      [letter.projection, letter.aggregateId],
    );
    return rows.map(toDeadLetter);
  }

  /**
   * Gives up on one event. Its aggregate's checkpoint moves past it, so the
   * events parked behind it can be retried (they stay open until then).
   */
  async discard(id: string): Promise<DeadLetter> {
    const letter = await this.get(id);
    if (letter.status !== 'open') throw new DeadLetterNotOpenError(id, letter.status);
    await this.dataSource.transaction(async (tx) => {
      const head = letter.aggregateId === null ? id : await this.headFor(tx, letter.projection, letter.aggregateId);
      if (head !== id) throw new DeadLetterNotHeadError(id, head!);
      if (letter.aggregateId !== null && letter.aggregateVersion !== null) {
        const cp = liveTables(this.schema)(checkpointTable(letter.projection));
        await tx.query(
          `INSERT INTO ${cp} (aggregate_id, version, event_id) VALUES ($1, $2, $3)
           ON CONFLICT (aggregate_id) DO UPDATE SET version = GREATEST(${cp}.version, EXCLUDED.version)`,
          [letter.aggregateId, letter.aggregateVersion, letter.eventId],
        );
      }
      await tx.query(`UPDATE ${this.table} SET status = 'discarded', updated_at = now() WHERE id = $1`, [id]);
    });
    return { ...letter, status: 'discarded' };
  }

  private projectionNamed(name: string): Projection {
    const p = this.projections().find((x) => x.name === name);
    if (!p) throw new Error(`no projection named ${name} in this service`);
    return p;
  }
}
