import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { RippleError } from '@ripple/errors';
import type { JsonLogger } from '@ripple/observability';
import { requestTarget } from '../proxy/request-target';
import type { PreparedSession, SyncEdge } from './sync-edge';
import { WsSink } from './ws-sink';

export const WS_PATH = '/api/sync/ws';

export interface WsOptions {
  allowedOrigins: string[];
  maxInboundBytes: number;
  logger: JsonLogger;
}

/**
 * WebSocket at /api/sync/ws: the same messages, auth, resume and limits as SSE.
 * A browser always sends Origin, so a foreign one is refused before the
 * handshake; clients that are not browsers send none.
 */
export function attachSyncWebSocket(server: Server, edge: SyncEdge, opts: WsOptions): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxInboundBytes });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const target = requestTarget(req.url ?? '');
    if (target?.pathname !== WS_PATH) return refuse(socket, 404, 'NOT_FOUND', `no WebSocket at ${target?.pathname ?? req.url}`);
    const origin = req.headers.origin;
    if (origin !== undefined && !opts.allowedOrigins.includes(origin)) return refuse(socket, 403, 'ORIGIN_NOT_ALLOWED', `origin ${origin} is not allowed`);
    const query = new URLSearchParams(target.search);
    edge.prepare({ authorization: req.headers.authorization, query }, firstHeader(req.headers['last-event-id'])).then(
      (prepared) => {
        // A handshake that fails or a client that leaves meanwhile must give its slot back.
        socket.once('close', () => prepared.cancel());
        wss.handleUpgrade(req, socket, head, (ws) => serve(ws, prepared, opts));
      },
      (err) => {
        const code = (err as { code?: string }).code ?? 'INTERNAL';
        const status = err instanceof RippleError ? err.httpStatus : 500;
        if (status === 500) opts.logger.event('error', 'websocket upgrade failed', { error: (err as Error).message });
        refuse(socket, status, code, status === 500 ? 'internal error' : (err as Error).message);
      },
    );
  };
  server.on('upgrade', onUpgrade);
  return () => {
    server.off('upgrade', onUpgrade);
    wss.close();
  };
}

function serve(ws: WebSocket, prepared: PreparedSession, opts: WsOptions): void {
  const session = prepared.open(new WsSink(ws));
  ws.on('close', () => session.close());
  // Oversized frames: ws closes with 1009 itself; the error only needs swallowing.
  ws.on('error', (err) => opts.logger.event('debug', 'websocket error', { error: err.message }));
  ws.on('message', (data, isBinary) => {
    let message: { type?: unknown } | undefined;
    try {
      message = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      message = undefined;
    }
    if (message?.type === 'ping') ws.send(JSON.stringify({ type: 'heartbeat', timestamp: Date.now() }));
    else ws.close(1003, 'only {"type":"ping"} is accepted');
  });
}

const firstHeader = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ success: false, error: { code, message } });
  socket.end(`HTTP/1.1 ${status} ${code}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
