import type { ApiSuccess, PathWith, RequestBody } from './api-types.js';
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

/** What `POST /api/users` takes (its DTO, from the OpenAPI document). */
export type Registration = RequestBody<'/api/users', 'post'>;
/** What `POST /api/auth/login` takes (`username` may be the email). */
export type Credentials = RequestBody<'/api/auth/login', 'post'>;

/** A POST whose path and body are checked against the OpenAPI document: the answer's `data` (which the document leaves undescribed). */
async function post<P extends PathWith<'post'>>(baseUrl: string, path: P, body: RequestBody<P, 'post'>, fetchFn: typeof fetch): Promise<ApiSuccess['data']> {
  const res = await fetchFn(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: ApiError.of names the status */
  }
  if (!res.ok) throw ApiError.of(res.status, parsed);
  return (parsed as ApiSuccess).data;
}

/** Signs in (`username` may be the email): the session, or an ApiError (`INVALID_CREDENTIALS`, `LOGIN_THROTTLED`, `VALIDATION_FAILED` with `fields`). */
export function signIn(baseUrl: string, credentials: Credentials, fetchFn: typeof fetch = globalThis.fetch.bind(globalThis)): Promise<Session> {
  return post(baseUrl, '/api/auth/login', credentials, fetchFn) as Promise<Session>;
}

/** Registers a user (not signed in yet: `signIn` next): the new user, or an ApiError naming each bad field. */
export function register(baseUrl: string, registration: Registration, fetchFn: typeof fetch = globalThis.fetch.bind(globalThis)): Promise<SessionUser> {
  return post(baseUrl, '/api/users', registration, fetchFn) as Promise<SessionUser>;
}
