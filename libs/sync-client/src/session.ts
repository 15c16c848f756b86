import { ApiError } from './errors.js';

/** The signed-in user as `POST /api/auth/login` answers it. */
export interface SessionUser {
  id: string;
  username: string;
  email?: string;
  role: string;
  profileInfo?: Record<string, unknown>;
  displayName?: string;
}

/** A signed-in session: what a SyncClient needs (`user.id` as its `userId`, `token` for `getToken`). */
export interface Session {
  token: string;
  expiresIn: number;
  user: SessionUser;
}

export interface Registration {
  username: string;
  email: string;
  password: string;
  role: string;
  profileInfo?: Record<string, unknown>;
}

async function post<T>(baseUrl: string, path: string, body: unknown, fetchFn: typeof fetch): Promise<T> {
  const res = await fetchFn(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: ApiError.of names the status */
  }
  if (!res.ok) throw ApiError.of(res.status, parsed);
  return (parsed as { data: T }).data;
}

/** Signs in (`username` may be the email): the session, or an ApiError (`INVALID_CREDENTIALS`, `LOGIN_THROTTLED`, `VALIDATION_FAILED` with `fields`). */
export function signIn(baseUrl: string, credentials: { username: string; password: string }, fetchFn: typeof fetch = globalThis.fetch.bind(globalThis)): Promise<Session> {
  return post<Session>(baseUrl, '/api/auth/login', credentials, fetchFn);
}

/** Registers a user (not signed in yet: `signIn` next): the new user, or an ApiError naming each bad field. */
export function register(baseUrl: string, registration: Registration, fetchFn: typeof fetch = globalThis.fetch.bind(globalThis)): Promise<SessionUser> {
  return post<SessionUser>(baseUrl, '/api/users', registration, fetchFn);
}
