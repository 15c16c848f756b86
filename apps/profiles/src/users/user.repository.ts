import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { CausationContext, EventEnvelope } from '@ripple/contracts';
import { EventStore, type NewEvent } from '@ripple/event-store';
import type { ProfilesEvent } from '@ripple/contracts';
import { evolve, type UserState } from './user';
import { IdempotencyKeyReusedError, UserNotFoundError } from './user.errors';

/** A command the client may retry: applied once per key, answered from the first result after that. */
export interface Idempotency {
  key: string;
  requestHash: string;
}

export interface UserRecord extends UserState {
  createdAt: string;
  updatedAt: string;
}

const toRecord = (r: Record<string, any>): UserRecord => ({
  id: r.id,
  username: r.username,
  email: r.email,
  role: r.role,
  profileInfo: r.profile_info,
  version: r.version,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/**
 * The user aggregate's persistence: events go to the event store and the
 * `users` row (its snapshot and read model) is written in the same transaction.
 */
@Injectable()
export class UserRepository {
  constructor(private readonly dataSource: DataSource, private readonly store: EventStore) {}

  async find(id: string, tx: EntityManager = this.dataSource.manager): Promise<UserRecord | undefined> {
    const [row] = await tx.query('SELECT * FROM profiles.users WHERE id = $1', [id]);
    return row ? toRecord(row) : undefined;
  }

  async get(id: string): Promise<UserRecord> {
    const user = await this.find(id);
    if (!user) throw new UserNotFoundError(id);
    return user;
  }

  async findByLogin(login: string): Promise<(UserRecord & { passwordHash: string }) | undefined> {
    const [row] = await this.dataSource.query(
      'SELECT u.*, c.password_hash FROM profiles.users u JOIN profiles.credentials c ON c.user_id = u.id WHERE lower(u.username) = lower($1) OR lower(u.email) = lower($1)',
      [login],
    );
    return row ? { ...toRecord(row), passwordHash: row.password_hash } : undefined;
  }

  /**
   * Runs a decision against the user's current state under a row lock (so a
   * concurrent merge waits instead of failing), then appends and saves.
   */
  async update(
    id: string,
    decide: (state: UserState) => NewEvent<ProfilesEvent>[],
    ctx: CausationContext,
    idempotency?: Idempotency,
  ): Promise<{ user: UserRecord; events: EventEnvelope[]; replayed?: boolean }> {
    return this.dataSource.transaction(async (tx) => {
      const [row] = await tx.query('SELECT * FROM profiles.users WHERE id = $1 FOR UPDATE', [id]);
      if (!row) throw new UserNotFoundError(id);
      // Under the row lock, so a concurrent retry waits and then finds the first one's answer.
      const replay = idempotency && (await this.replay(tx, id, idempotency));
      if (replay) return { user: replay, events: [], replayed: true };
      const result = await this.decideAndSave(tx, toRecord(row), decide, ctx);
      if (idempotency) {
        await tx.query('INSERT INTO profiles.idempotency_keys (user_id, key, request_hash, response) VALUES ($1, $2, $3, $4)', [id, idempotency.key, idempotency.requestHash, JSON.stringify(result.user)]);
      }
      return result;
    });
  }

  private async replay(tx: EntityManager, userId: string, idempotency: Idempotency): Promise<UserRecord | undefined> {
    const [done] = await tx.query('SELECT request_hash, response FROM profiles.idempotency_keys WHERE user_id = $1 AND key = $2', [userId, idempotency.key]);
    if (!done) return undefined;
    if (done.request_hash !== idempotency.requestHash) throw new IdempotencyKeyReusedError(idempotency.key);
    return done.response;
  }

  private async decideAndSave(tx: EntityManager, state: UserRecord, decide: (state: UserState) => NewEvent<ProfilesEvent>[], ctx: CausationContext) {
    const events = decide(state);
    if (events.length === 0) return { user: state, events: [] };
    const envelopes = await this.store.append(tx, { aggregateType: 'user', aggregateId: state.id, expectedVersion: state.version, events, context: ctx });
    const next = envelopes.reduce((s, e) => evolve(s, e as ProfilesEvent), state as UserState);
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [[saved]] = await tx.query(
      'UPDATE profiles.users SET role = $2, profile_info = $3, version = $4, updated_at = now() WHERE id = $1 RETURNING *',
      [state.id, next.role, JSON.stringify(next.profileInfo), next.version],
    );
    return { user: toRecord(saved), events: envelopes };
  }

  async create(id: string, events: NewEvent<ProfilesEvent>[], passwordHash: string, ctx: CausationContext): Promise<UserRecord> {
    return this.dataSource.transaction(async (tx) => {
      const envelopes = await this.store.append(tx, { aggregateType: 'user', aggregateId: id, expectedVersion: 0, events, context: ctx });
      const state = envelopes.reduce<UserState | undefined>((s, e) => evolve(s, e as ProfilesEvent), undefined)!;
      const [row] = await tx.query(
        `INSERT INTO profiles.users (id, username, email, role, profile_info, version) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [id, state.username, state.email, state.role, JSON.stringify(state.profileInfo), state.version],
      );
      await tx.query('INSERT INTO profiles.credentials (user_id, password_hash) VALUES ($1, $2)', [id, passwordHash]);
      return toRecord(row);
    });
  }
}
