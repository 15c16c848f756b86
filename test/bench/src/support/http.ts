import { Agent, request } from 'node:http';
import type { Client } from 'pg';
import { eventually } from '@ripple/testing';

/**
 * Keep-alive HTTP/1.1 for load: one pool per process, enough sockets for the open-loop bursts.
 * An idle socket is closed after 4 s, before the server's own keep-alive timeout (Node's: 5 s)
 * can close it under a request that reuses it (an ECONNRESET counted as the system's error).
 */
const agent = new Agent({ keepAlive: true, maxSockets: 512, timeout: 4000 });

export interface JsonResponse {
  status: number;
  body: any;
}

export function httpJson(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(url, { method, agent, headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          /* keep text */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${url} timed out`)));
    if (payload) req.write(payload);
    req.end();
  });
}

export interface Owner {
  id: string;
  username: string;
  token: string;
}

let counter = 0;
/** Registers a venue owner (with a venue) through the gateway and logs in. */
export async function signUpOwner(baseUrl: string, tag: string): Promise<Owner> {
  const username = `bench_${tag}_${Date.now().toString(36)}_${++counter}`;
  const password = 'correct horse battery';
  const reg = await httpJson('POST', `${baseUrl}/api/users`, {
    username, email: `${username}@bench.test`, password, role: 'venue', profileInfo: { venueName: `Arena ${username}`, venueLocation: 'Quito, Ecuador' },
  });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`);
  const login = await httpJson('POST', `${baseUrl}/api/auth/login`, { username, password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { id: reg.body.data.id, username, token: login.body.data.token };
}

/** Signs up `n` venue owners, `parallel` at a time, and waits until the venue directory (read through `db`) holds a venue for each. */
export async function signUpOwners(baseUrl: string, db: Client, n: number, parallel = 1): Promise<Owner[]> {
  const owners: Owner[] = [];
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (owners.length < n) owners.push(await signUpOwner(baseUrl, 'o'));
  }));
  owners.splice(n);
  await eventually(async () => (await db.query('SELECT count(*)::int AS n FROM venues.venues')).rows[0].n >= n, { timeoutMs: 30_000, what: "the owners' venues" });
  return owners;
}

/** Is the SSE endpoint there? A GET that must answer 200 text/event-stream; the connection is dropped at once. */
export function probeSse(url: string, token: string): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, agent: false }, (res) => {
      const type = String(res.headers['content-type'] ?? '');
      const ok = res.statusCode === 200 && type.startsWith('text/event-stream');
      req.destroy();
      resolve({ ok, detail: ok ? 'available' : `GET ${new URL(url).pathname} answered ${res.statusCode} ${type}` });
    });
    req.on('error', (err) => resolve({ ok: false, detail: `GET ${new URL(url).pathname} failed: ${err.message}` }));
    req.setTimeout(5000, () => req.destroy(new Error('no answer in 5 s')));
    req.end();
  });
}

/**
 * The measured SSE clients (one per owner, in the bench's own process): what a browser does,
 * bearer token in a header, over node:http with a plain parser. The `eventsource` package, over
 * undici's fetch and web streams, cost this process 141–211 µs of CPU per message against 68 µs
 * for this (40 clients, 4,000 messages of about 400 bytes, alternated twice), and the bench shares the
 * two cores with what it measures: at two messages per update, that was about a quarter of a
 * millisecond per update taken from Ripple's cores, and none from the raw handler's, whose
 * requests cause no SSE message. As EventSource: only unnamed (`message`) events reach
 * `onMessage`, each `data:` parsed as JSON, with the performance.now() at which its chunk
 * arrived; a lost connection is opened again after the server's `retry` with `Last-Event-ID`.
 * Resolves once the first message (`connected`) arrived; rejects if none came in 10 s.
 */
export function openEventSource(url: string, token: string | undefined, onMessage: (msg: any, at: number) => void): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    let opened = false;
    let closed = false;
    let lastId: string | undefined;
    let retryMs = 1000;
    let current: ReturnType<typeof request> | undefined;
    const close = () => {
      closed = true;
      clearTimeout(timer);
      current?.destroy();
    };
    const timer = setTimeout(() => {
      if (opened) return;
      close();
      reject(new Error(`no first SSE message from ${url} in 10 s`));
    }, 10_000);
    const connect = () => {
      if (closed) return;
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (token) headers.authorization = `Bearer ${token}`;
      if (lastId !== undefined) headers['last-event-id'] = lastId;
      let ended = false;
      const again = () => {
        if (ended || closed) return;
        ended = true;
        setTimeout(connect, retryMs);
      };
      const req = request(url, { headers, agent: false }, (res) => {
        // EventSource gives up on an answer that is not a stream; the open timeout then says so.
        if (res.statusCode !== 200) {
          ended = true;
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        let buffered = '';
        let data: string[] = [];
        let event = '';
        res.on('data', (text: string) => {
          const at = performance.now();
          buffered += text;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.charCodeAt(nl - 1) === 13 ? buffered.slice(0, nl - 1) : buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            if (line === '') {
              // The end of an event: dispatch it.
              const payload = data.join('\n');
              const named = event !== '' && event !== 'message';
              data = [];
              event = '';
              if (named || payload === '') continue;
              let msg: any;
              try {
                msg = JSON.parse(payload);
              } catch {
                continue;
              }
              if (!opened) {
                opened = true;
                clearTimeout(timer);
                resolve({ close });
              }
              onMessage(msg, at);
              continue;
            }
            if (line.charCodeAt(0) === 58) continue; // ':' a comment
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(line.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1);
            if (field === 'data') data.push(value);
            else if (field === 'id') lastId = value;
            else if (field === 'event') event = value;
            else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
          }
        });
        res.on('error', () => undefined);
        res.on('close', again);
      });
      current = req;
      req.on('error', again);
      req.end();
    };
    connect();
  });
}

/**
 * A bare SSE client for fan-out (thousands per process): one socket each, no
 * per-message JSON parsing; `onChunk` sees raw text. Resolves when the first
 * `data:` line arrived (the server's `connected`).
 */
export function openRawSse(url: string, token: string, onChunk: (text: string, at: number) => void): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    let opened = false;
    const req = request(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`SSE answered ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        const at = performance.now();
        if (!opened && text.includes('data:')) {
          opened = true;
          resolve({ close: () => req.destroy() });
        }
        onChunk(text, at);
      });
      res.on('error', () => undefined);
    });
    req.on('error', (err) => {
      if (!opened) reject(err);
    });
    req.end();
  });
}
