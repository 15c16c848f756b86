import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';

// RFC 9110 §7.6.1: these describe one connection, not the message, so they stop here.
const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** A copy of `headers` without hop-by-hop headers, including any the Connection header names. */
export function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = headers.connection ? String(headers.connection).split(',').map((h) => h.trim().toLowerCase()) : [];
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name) && !named.includes(name)) out[name] = value;
  }
  return out;
}

/** What the upstream receives: the client's end-to-end headers plus where the request came from. */
export function upstreamRequestHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const headers = endToEndHeaders(req.headers);
  // Host names the upstream (Node sets it); Expect was already answered by this server.
  delete headers.host;
  delete headers.expect;
  // A chunked body without a length must stay chunked on the next hop, whatever the method.
  if (req.headers['transfer-encoding'] && req.headers['content-length'] === undefined) headers['transfer-encoding'] = 'chunked';
  const prior = req.headers['x-forwarded-for'];
  const client = req.socket.remoteAddress ?? 'unknown';
  headers['x-forwarded-for'] = prior ? `${prior}, ${client}` : client;
  headers['x-forwarded-proto'] = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
  return headers;
}
