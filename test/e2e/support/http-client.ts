import { eventually } from '@ripple/testing';

/** A tiny JSON client for end-to-end tests: every call goes over real HTTP. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export function apiClient(baseUrl: string) {
  const call = async <T = any>(method: string, path: string, opts: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string } = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(baseUrl + path, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: body as T, headers: res.headers };
  };
  return {
    get: <T = any>(path: string, opts?: Parameters<typeof call>[2]) => call<T>('GET', path, opts),
    post: <T = any>(path: string, body?: unknown, opts?: Parameters<typeof call>[2]) => call<T>('POST', path, { ...opts, body }),
    put: <T = any>(path: string, body?: unknown, opts?: Parameters<typeof call>[2]) => call<T>('PUT', path, { ...opts, body }),
    delete: <T = any>(path: string, opts?: Parameters<typeof call>[2]) => call<T>('DELETE', path, opts),
    call,
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

let counter = 0;
/** Registers a user and logs in; returns the id and a bearer token. */
export async function signUp(api: ApiClient, role: string, profileInfo: Record<string, unknown> = {}) {
  const username = `${role}_${Date.now().toString(36)}_${++counter}`;
  const password = 'correct horse battery';
  const reg = await api.post('/api/users', { username, email: `${username}@example.test`, password, role, profileInfo });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`);
  const login = await api.post('/api/auth/login', { username, password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { id: reg.body.data.id as string, username, token: login.body.data.token as string };
}

/** Polls a connector run (`GET <runPath>`) until it is no longer running; returns the finished run. */
export function untilRunFinished(api: ApiClient, runPath: string, token: string): Promise<any> {
  return eventually(
    async () => {
      const run = (await api.get(runPath, { token })).body.data;
      return run.status !== 'running' && run;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: `${runPath} to finish` },
  );
}
