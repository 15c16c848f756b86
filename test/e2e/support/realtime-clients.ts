import { EventSource } from 'eventsource';
import WebSocket from 'ws';

/** Realtime test clients: the `eventsource` package (what a browser does) and `ws`. Each records every message it gets. */
export interface FeedClient {
  messages: any[];
  changes(): any[];
  /** The cursor of the last message that carried one: what a client resumes from. */
  lastCursor(): string | undefined;
  close(): void;
}

const record = (messages: any[]) => ({
  messages,
  changes: () => messages.filter((m) => m.type === 'data_change'),
  lastCursor: () => [...messages].reverse().find((m) => typeof m.cursor === 'string')?.cursor as string | undefined,
});

export function sseClient(baseUrl: string, opts: { token?: string; lastEventId?: string; query?: string } = {}): FeedClient & { source: EventSource } {
  const messages: any[] = [];
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.lastEventId) headers['last-event-id'] = opts.lastEventId;
  const source = new EventSource(`${baseUrl}/api/sync/events${opts.query ? `?${opts.query}` : ''}`, {
    fetch: (input, init) => {
      // The client's own Last-Event-ID (set when it reconnects by itself) replaces the one we started from.
      const merged = new Headers(headers);
      for (const [k, v] of Object.entries((init?.headers ?? {}) as Record<string, string>)) merged.set(k, v);
      return fetch(input, { ...init, headers: merged });
    },
  });
  source.onmessage = (e) => messages.push(JSON.parse(e.data));
  return { ...record(messages), source, close: () => source.close() };
}

export function wsClient(baseUrl: string, opts: { token?: string; query?: string; origin?: string } = {}): FeedClient & { socket: WebSocket; closed: Promise<{ code: number; reason: string }>; refused: Promise<number> } {
  const messages: any[] = [];
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/sync/ws${opts.query ? `?${opts.query}` : ''}`, { headers, origin: opts.origin });
  socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
  socket.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const refused = new Promise<number>((resolve) => socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
  return { ...record(messages), socket, closed, refused, close: () => socket.close() };
}

/** Parses a raw SSE body into its JSON messages. */
export const parseSse = (text: string): any[] =>
  text.split('\n\n').flatMap((block) => block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6))));
