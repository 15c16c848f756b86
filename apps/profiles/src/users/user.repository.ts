import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { CausationContext, EventEnvelope } from '@ripple/contracts';
import { EventStore, StreamVersionConflictError, type NewEvent, type Write } from '@ripple/event-store';
import type { ProfilesEvent } from '@ripple/contracts';
import { evolve, type UserState } from './user';
import { IdempotencyKeyReusedError, UserNotFoundError } from './user.errors';
import { userFromRow, userRowWrite } from './users.read-model';

/** Decisions taken again after losing a race to a concurrent write of the same user, before the conflict is surfaced. */
const MAX_ATTEMPTS = 10;

/** Users whose last committed state an instance keeps (about 1 KB each). */
const KNOWN_USERS = 10_000;

/** Lost a race: to another write of this user, or to a retry carrying the same key. */
const raced = (err: unknown) => err instanceof StreamVersionConflictError || (err as { constraint?: string }).constraint === 'idempotency_keys_pkey';

/** A map that forgets its least recently set entries beyond `limit`. */
class RecentMap<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(private readonly limit: number) {}
  get(key: K): V | undefined {
    return this.entries.get(key);
  }
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as K);
  }
  delete(key: K): void {
    this.entries.delete(key);
  }
}

/** A command the client may retry: applied once per key, answered from the first result after that. */
export interface Idempotency {
  key: string;
  requestHash: string;
}

/**
 * The user aggregate's persistence: events go to the event store and the
 * `users` row (its snapshot and read model: `evolve`'s fold of the events, see
 * users.read-model.ts) is written in the same statement.
 */
@Injectable()
export class UserRepository {
  /** Per user: the last command of this instance in line, so the next one waits for it. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Per user: the state this instance last committed (a command's first decision needs no read). */
  private readonly known = new RecentMap<string, UserState>(KNOWN_USERS);

  constructor(private readonly dataSource: DataSource, private readonly store: EventStore) {}

  async find(id: string, tx: EntityManager = this.dataSource.manager): Promise<UserState | undefined> {
    const [row] = await tx.query('SELECT * FROM profiles.users WHERE id = $1', [id]);
    return row ? userFromRow(row) : undefined;
  }

  async get(id: string): Promise<UserState> {
    const user = await this.find(id);
    if (!user) throw new UserNotFoundError(id);
    return user;
  }

  async passwordHashOf(id: string): Promise<string> {
    const [row] = await this.dataSource.query('SELECT password_hash FROM profiles.credentials WHERE user_id = $1', [id]);
    if (!row) throw new UserNotFoundError(id);
    return row.password_hash;
  }

  async findByLogin(login: string): Promise<(UserState & { passwordHash: string }) | undefined> {
    const [row] = await this.dataSource.query(
      'SELECT u.*, c.password_hash FROM profiles.users u JOIN profiles.credentials c ON c.user_id = u.id WHERE lower(u.username) = lower($1) OR lower(u.email) = lower($1)',
      [login],
    );
    return row ? { ...userFromRow(row), passwordHash: row.password_hash } : undefined;
  }

  /**
   * Runs a decision against the user's current state and commits its events with
   * the `users` row (and the idempotency key) in one statement: one round trip
   * when this instance committed the user's last change (it decides on the state
   * it kept), two otherwise; no transaction held open. A concurrent write to the same user makes the
   * append conflict and nothing is written; the decision is then taken again on
   * the new state (so a merge still lands, and a stale expectedVersion is refused
   * by the decision), a bounded number of times. Within this instance, commands
   * of one user run one after another, so they do not race at all. A new
   * password hash, if given, is stored in the same statement as the events.
   */
  async update(
    id: string,
    decide: (state: UserState) => NewEvent<ProfilesEvent>[],
    ctx: CausationContext,
    idempotency?: Idempotency,
    newPasswordHash?: string,
  ): Promise<{ user: UserState; events: EventEnvelope[]; replayed?: boolean }> {
    // This instance's commands for one user queue behind each other rather than race (a race costs
    // a wasted statement and a retry; under load, many); races with other instances are retried.
    const previous = this.queues.get(id);
    const mine = (previous ?? Promise.resolve()).catch(() => undefined).then(() => this.decideAndSave(id, decide, ctx, idempotency, newPasswordHash));
    this.queues.set(id, mine);
    try {
      return await mine;
    } finally {
      if (this.queues.get(id) === mine) this.queues.delete(id);
    }
  }

  private async decideAndSave(
    id: string,
    decide: (state: UserState) => NewEvent<ProfilesEvent>[],
    ctx: CausationContext,
    idempotency?: Idempotency,
    newPasswordHash?: string,
  ): Promise<{ user: UserState; events: EventEnvelope[]; replayed?: boolean }> {
    for (let attempt = 1; ; attempt++) {
      // First on the state this instance last committed, if it has it: the append's version
      // check (and the idempotency key's) catches a stale one, and everything that is not a
      // plain write (no change, a refused decision, a raced append) is decided again on a read.
      const known = attempt === 1 ? this.known.get(id) : undefined;
      if (known) {
        let events: NewEvent<ProfilesEvent>[] | undefined;
        try {
          events = decide(known);
        } catch {
          events = undefined;
        }
        if (events?.length) {
          try {
            return await this.save(known, events, ctx, idempotency, newPasswordHash);
          } catch (err) {
            if (!raced(err)) throw err;
          }
        }
        this.known.delete(id);
        continue;
      }
      const [row] = await this.dataSource.query(
        `SELECT u.*, k.request_hash AS idempotency_hash, k.response AS idempotency_response
         FROM profiles.users u LEFT JOIN profiles.idempotency_keys k ON k.user_id = u.id AND k.key = $2 WHERE u.id = $1`,
        [id, idempotency?.key ?? null],
      );
      if (!row) throw new UserNotFoundError(id);
      if (idempotency && row.idempotency_hash !== null) {
        if (row.idempotency_hash !== idempotency.requestHash) throw new IdempotencyKeyReusedError(idempotency.key);
        return { user: row.idempotency_response, events: [], replayed: true };
      }
      const state = userFromRow(row);
      const events = decide(state);
      if (events.length === 0) return { user: state, events: [] };
      try {
        return await this.save(state, events, ctx, idempotency, newPasswordHash);
      } catch (err) {
        if (!raced(err) || attempt >= MAX_ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }

  private async save(state: UserState, events: NewEvent<ProfilesEvent>[], ctx: CausationContext, idempotency?: Idempotency, newPasswordHash?: string) {
    let user = state;
    // The row is the fold of the very envelopes appended (their times included), written in their statement.
    const writes = (envelopes: EventEnvelope[]): Write[] => {
      user = envelopes.reduce((s, e) => evolve(s, e as ProfilesEvent), state);
      const out = [userRowWrite(user, false)];
      if (newPasswordHash !== undefined) {
        out.push({ sql: 'UPDATE profiles.credentials SET password_hash = $?2 WHERE user_id = $?1', params: [state.id, newPasswordHash] });
      }
      if (idempotency) {
        out.push({
          sql: 'INSERT INTO profiles.idempotency_keys (user_id, key, request_hash, response) VALUES ($?1, $?2, $?3, $?4)',
          params: [state.id, idempotency.key, idempotency.requestHash, JSON.stringify(user)],
        });
      }
      return out;
    };
    const { events: envelopes } = await this.store.appendAtomically(this.dataSource,
      { aggregateType: 'user', aggregateId: state.id, expectedVersion: state.version, events, context: ctx }, writes);
    this.known.set(state.id, user);
    return { user, events: envelopes };
  }

  /**
   * Registers a user: its events, its row and its credentials in one statement (so the
   * `users` table is locked before any event is written, as a rebuild's swap needs).
   */
  async create(id: string, events: NewEvent<ProfilesEvent>[], passwordHash: string, ctx: CausationContext): Promise<UserState> {
    let user: UserState | undefined;
    await this.store.appendAtomically(this.dataSource, { aggregateType: 'user', aggregateId: id, expectedVersion: 0, events, context: ctx }, (envelopes) => {
      user = envelopes.reduce<UserState | undefined>((s, e) => evolve(s, e as ProfilesEvent), undefined)!;
      return [userRowWrite(user, true), { sql: 'INSERT INTO profiles.credentials (user_id, password_hash) VALUES ($?1, $?2)', params: [id, passwordHash] }];
    });
    this.known.set(id, user!);
    return user!;
  }
}
