import type { EntityManager } from 'typeorm';
import type { DomainEvent, ProfilesEvent } from '@ripple/contracts';
import type { Projection, StatementRows, TableMap } from '@ripple/projections';
import { evolve, type UserState } from './user';
import { userFromRow, writeUsersSql } from './user-rows';

/**
 * The `users` table as a projection of the PROFILES stream, so a replay rebuilds
 * it (blue/green) from the events. Live, the command path has already written
 * each row with its events, so a batch usually writes nothing; it writes what a
 * swap left out (a command that committed into the old table before its event
 * reached the stream).
 */
export const usersProjection: Projection = {
  name: 'users',
  source: 'profiles',
  tables: ['users'],
  reads: (events, t) => [{ text: `SELECT * FROM ${t('users')} WHERE id = ANY($1::uuid[])`, values: [[...new Set(events.map((e) => e.aggregateId))]] }],
  async apply(tx: EntityManager, events: DomainEvent[], t: TableMap, _mode, read: StatementRows): Promise<void> {
    const rows = foldUsers(read[0].map(userFromRow), events as ProfilesEvent[]);
    if (rows.length) await tx.query(writeUsersSql(t('users'), '$1'), [JSON.stringify(rows)]);
  },
};

/** The rows `events` move forward from `current`, by the command path's own `evolve`; events a row already has are skipped. */
export function foldUsers(current: UserState[], events: ProfilesEvent[]): UserState[] {
  const users = new Map(current.map((u) => [u.id, u]));
  const moved = new Map<string, UserState>();
  for (const e of events) {
    const user = users.get(e.aggregateId);
    if (user && user.version >= e.aggregateVersion) continue;
    if ((user?.version ?? 0) !== e.aggregateVersion - 1) {
      throw new Error(`user ${e.aggregateId} is at version ${user?.version ?? 0}: cannot apply its version ${e.aggregateVersion}`);
    }
    const next = evolve(user, e);
    users.set(e.aggregateId, next);
    moved.set(e.aggregateId, next);
  }
  return [...moved.values()];
}
