import { request } from 'node:http';
import { WebSocket } from 'ws';
import { wallClock, type FromClients, type ToClients, type Transport } from './fanout-protocol';

/**
 * Scenario 5's load generator: a child process the bench spawns (several of
 * them), so the thousands of fan-out clients never share an event loop with the
 * process that sends the updates and does the measuring. Each holds its share
 * of raw SSE and WebSocket connections and reports, over IPC, when each one
 * received the change it was told to watch for.
 */

interface Conn {
  user: number;
  transport: Transport;
  /** SSE: the text after the last complete message. */
  pending: string;
  gotAt: number;
  close(): void;
}

const conns: Conn[] = [];
let markers: Record<number, string> = {};
let eventType = '';
let watching = false;
let outstanding = 0;

const send = (m: FromClients) => process.send!(m);

/** A complete message (an SSE event's text or a WebSocket frame) arrived on `c`. */
function onMessage(c: Conn, text: string, at: number): void {
  if (!watching || c.gotAt > 0) return;
  const marker = markers[c.user];
  if (marker === undefined || !text.includes(marker) || !text.includes(`"eventType":"${eventType}"`)) return;
  c.gotAt = at;
  if (--outstanding === 0) send({ op: 'done' });
}

function openSse(url: string, token: string, user: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    let opened = false;
    const req = request(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`SSE answered ${res.statusCode}`));
      }
      const c: Conn = { user, transport: 'sse', pending: '', gotAt: 0, close: () => req.destroy() };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const at = wallClock();
        let text = c.pending + chunk;
        let end = text.indexOf('\n\n');
        while (end >= 0) {
          const message = text.slice(0, end);
          if (!opened && message.includes('data:')) {
            opened = true;
            resolve(c);
          }
          onMessage(c, message, at);
          text = text.slice(end + 2);
          end = text.indexOf('\n\n');
        }
        c.pending = text;
      });
      res.on('error', () => undefined);
    });
    req.on('error', (err) => {
      if (!opened) reject(err);
    });
    req.setTimeout(30_000, () => {
      if (!opened) req.destroy(new Error('no `connected` in 30 s'));
    });
    req.end();
  });
}

function openWs(url: string, token: string, user: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false, handshakeTimeout: 30_000 });
    const c: Conn = { user, transport: 'ws', pending: '', gotAt: 0, close: () => ws.terminate() };
    let opened = false;
    ws.on('message', (data) => {
      const at = wallClock();
      if (!opened) {
        opened = true;
        resolve(c);
      }
      if (watching) onMessage(c, data.toString(), at);
    });
    ws.on('error', (err) => {
      if (!opened) reject(err);
    });
    ws.on('close', (code) => {
      if (!opened) reject(new Error(`WebSocket closed with ${code} before its first message`));
    });
  });
}

async function open(m: Extract<ToClients, { op: 'open' }>): Promise<void> {
  let next = 0;
  let opened = 0;
  let failed = 0;
  const errors = new Set<string>();
  await Promise.all(
    Array.from({ length: m.inFlight }, async () => {
      while (next < m.conns.length) {
        const { user, transport } = m.conns[next++];
        try {
          conns.push(await (transport === 'sse' ? openSse(m.sseUrl, m.tokens[user], user) : openWs(m.wsUrl, m.tokens[user], user)));
          opened++;
        } catch (err) {
          failed++;
          if (errors.size < 5) errors.add((err as Error).message);
        }
      }
    }),
  );
  send({ op: 'opened', opened, failed, errors: [...errors] });
}

function collect(): FromClients {
  const got: Record<Transport, Record<number, number[]>> = { sse: {}, ws: {} };
  const missing: Record<Transport, Record<number, number>> = { sse: {}, ws: {} };
  for (const c of conns) {
    if (markers[c.user] === undefined) continue;
    if (c.gotAt > 0) (got[c.transport][c.user] ??= []).push(c.gotAt);
    else missing[c.transport][c.user] = (missing[c.transport][c.user] ?? 0) + 1;
    c.gotAt = 0;
  }
  watching = false;
  markers = {};
  return { op: 'receipts', got, missing };
}

process.on('message', (m: ToClients) => {
  switch (m.op) {
    case 'open':
      void open(m);
      return;
    case 'watch':
      markers = m.markers;
      eventType = m.eventType;
      outstanding = conns.filter((c) => markers[c.user] !== undefined).length;
      watching = true;
      send({ op: 'watching' });
      if (outstanding === 0) send({ op: 'done' });
      return;
    case 'collect':
      send(collect());
      return;
    case 'close': {
      const closing = (c: Conn) => m.transport === undefined || c.transport === m.transport;
      for (const c of conns) if (closing(c)) c.close();
      const keep = conns.filter((c) => !closing(c));
      conns.length = 0;
      for (const c of keep) conns.push(c);
      send({ op: 'closed', remaining: conns.length });
      return;
    }
    case 'exit':
      for (const c of conns) c.close();
      process.exit(0);
      return;
    default: {
      const never: never = m;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
});
process.on('disconnect', () => process.exit(0));
send({ op: 'ready' });
