import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** The error shape every Ripple service answers with. */
export function sendError(res: ServerResponse, status: number, error: { code: string; message: string } & Record<string, unknown>, headers: OutgoingHttpHeaders = {}): void {
  const body = JSON.stringify({ success: false, error });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}
