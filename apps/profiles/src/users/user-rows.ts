import type { UserState } from './user';

/** A `users` row as the user's state (its columns are exactly `evolve`'s fold of the user's events). */
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
 * The statement that writes users' rows from their states (`param`: a JSON array
 * of them), for the command path and the `users` projection alike: a row is
 * inserted, or moved forward to a later version, never back, so a write the
 * other path already made is a no-op.
 */
export const writeUsersSql = (table: string, param: string) => `
  INSERT INTO ${table} AS u (id, username, email, role, profile_info, version, token_version, created_at, updated_at)
  SELECT id, username, email, role, "profileInfo", version, "tokenVersion", "createdAt", "updatedAt"
    FROM jsonb_to_recordset(${param}::jsonb) AS x(id uuid, username text, email text, role text, "profileInfo" jsonb,
      version int, "tokenVersion" int, "createdAt" timestamptz, "updatedAt" timestamptz)
  ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, email = EXCLUDED.email, role = EXCLUDED.role, profile_info = EXCLUDED.profile_info,
    version = EXCLUDED.version, token_version = EXCLUDED.token_version, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
  WHERE u.version < EXCLUDED.version
  RETURNING id`;
