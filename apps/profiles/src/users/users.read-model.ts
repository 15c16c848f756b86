import type { ProfilesEvent } from '@ripple/contracts';
import { readModelValues, type StoredReadModel } from '@ripple/projections';
import { evolve, type UserState } from './user';

/** A `users` row as the user's state. */
export const userFromRow = (r: Record<string, any>): UserState => ({
  id: r.id,
  username: r.username,
  email: r.email,
  role: r.role,
  profileInfo: r.profile_info,
  version: r.version,
  tokenVersion: r.token_version,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/**
 * `profiles.users`, the user aggregate's state stored beside its events: each row
 * is `evolve`'s fold of the user's events, every column included (`created_at`
 * and `updated_at` are the first and last events' times). The command path writes
 * it with the events it appends (`userWrites`); `npx ripple replay users` rebuilds
 * it from `profiles.events`. Password hashes are not in it: they never enter an
 * event, and live in `profiles.credentials`, which no rebuild touches.
 */
export const usersReadModel: StoredReadModel<UserState> = {
  name: 'users',
  aggregateTypes: ['user'],
  table: 'users',
  evolve: (state, event) => evolve(state, event as ProfilesEvent),
  columns: [
    { name: 'id', value: (u) => u.id },
    { name: 'username', value: (u) => u.username },
    { name: 'email', value: (u) => u.email },
    { name: 'role', value: (u) => u.role },
    { name: 'profile_info', value: (u) => JSON.stringify(u.profileInfo) },
    { name: 'version', value: (u) => u.version },
    { name: 'created_at', value: (u) => u.createdAt },
    { name: 'updated_at', value: (u) => u.updatedAt },
    { name: 'token_version', value: (u) => u.tokenVersion },
  ],
  fromRow: userFromRow,
};

const columns = usersReadModel.columns.map((c) => c.name);

/**
 * The command path's write of a user's row, as a statement of the append
 * (`$?n` are its own parameters): every column from the state the events fold
 * to. The row is inserted with the user's first events and updated after.
 */
export function userRowWrite(user: UserState, created: boolean): { sql: string; params: unknown[] } {
  const params = readModelValues(usersReadModel, user);
  const sql = created
    ? `INSERT INTO profiles.users (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$?${i + 1}`).join(', ')}) RETURNING id`
    : `UPDATE profiles.users SET ${columns.slice(1).map((c, i) => `${c} = $?${i + 2}`).join(', ')} WHERE id = $?1 RETURNING id`;
  return { sql, params };
}
