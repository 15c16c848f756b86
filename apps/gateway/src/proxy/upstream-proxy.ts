import http, { type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { TOKENS_REVOKED_HEADER } from '@ripple/auth';
import { endSpan, SpanKind, startSpan, traceparentOf, type JsonLogger } from '@ripple/observability';
import { byteLimit } from './body-limit';
import { sendError } from './error-response';
import { endToEndHeaders, upstreamRequestHeaders } from './forwarding-headers';
import { requestTarget, upstreamTarget, type RequestTarget } from './request-target';
import { isApiPath, isGatewayPath, ownerOf, type ServiceName, type Upstreams } from './route-table';

const PROXIED_ROUTE = Symbol('proxiedRoute');
type ProxiedRequest = IncomingMessage & { [PROXIED_ROUTE]?: string };

/** The route-table pattern a proxied request matched (`/api/users/*`), for the metrics' `route` label. */
export const proxiedRoute = (req: IncomingMessage): string | undefined => (req as ProxiedRequest)[PROXIED_ROUTE];

export interface UpstreamProxyOptions {
  upstreams: Upstreams;
  bodyLimitBytes: number;
  logger: JsonLogger;
  onUpstreamFailure?: (service: ServiceName) => void;
  /** A service's answer says it revoked a user's tokens (TOKENS_REVOKED_HEADER, kept from the client). */
  onTokensRevoked?: (header: string | string[]) => void;
  /** An upstream that accepts no connection within this time counts as unavailable. */
  connectTimeoutMs?: number;
  /** Idle keep-alive sockets close before the upstream's own keep-alive timeout (Node: 5s) can race a reuse. */
  idleSocketMs?: number;
}

/**
 * Streams `/api/...` requests to the service that owns the path and streams the
 * answer back unbuffered, with no response timeout, so long-lived responses
 * (SSE) pass through. Anything outside `/api`, and the gateway's own paths, are
 * not its to answer (`claims`).
 */
export class UpstreamProxy {
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(private readonly opts: UpstreamProxyOptions) {
    const agentOptions = { keepAlive: true, timeout: opts.idleSocketMs ?? 4000 };
    this.agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  }

  /** The request's target when the proxy answers it (an `/api` path the gateway does not serve itself), else undefined. */
  claims(req: IncomingMessage): RequestTarget | undefined {
    const target = requestTarget(req.url ?? '');
    return target && isApiPath(target.pathname) && !isGatewayPath(target.pathname) ? target : undefined;
  }

  /** Answers a request `claims` returned its target for: forwarded to its owner, or 404 when no service owns the path. */
  send(req: IncomingMessage, res: ServerResponse, target: RequestTarget): void {
    const owner = ownerOf(target.pathname);
    if (!owner) return sendError(res, 404, { code: 'NOT_FOUND', message: `no service serves ${req.method} ${target.pathname}` });
    const { service, pattern } = owner;
    (req as ProxiedRequest)[PROXIED_ROUTE] = pattern;
    if (Number(req.headers['content-length'] ?? 0) > this.opts.bodyLimitBytes) return this.tooLarge(res);
    this.forward(req, res, service, target);
  }

  /** Drops pooled upstream connections; call once the HTTP server has closed. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private forward(req: IncomingMessage, res: ServerResponse, service: ServiceName, target: RequestTarget): void {
    const started = Date.now();
    const to = upstreamTarget(this.opts.upstreams[service], target.pathname + target.search);
    const secure = to.protocol === 'https:';
    const headers = upstreamRequestHeaders(req);
    // Tracing: the upstream continues this request's trace as a child of the proxy's own span.
    const span = startSpan(`proxy ${service}`, SpanKind.CLIENT, undefined, { 'http.request.method': req.method, 'server.address': to.hostname, 'url.path': target.pathname });
    if (span) headers.traceparent = traceparentOf(span);
    const upstreamReq = (secure ? https : http).request({ ...to, method: req.method, headers, agent: secure ? this.agents.https : this.agents.http });
    // Once the client has an answer (the upstream's or ours), later failures can only cut the stream.
    let answered = false;
    let clientGone = false;
    this.limitConnect(upstreamReq);

    upstreamReq.on('response', (upstreamRes) => {
      answered = true;
      const headers = endToEndHeaders(upstreamRes.headers);
      const revoked = headers[TOKENS_REVOKED_HEADER];
      if (revoked !== undefined) {
        // Before the client has the answer, so its next request already finds the old tokens refused.
        this.opts.onTokensRevoked?.(revoked as string | string[]);
        delete headers[TOKENS_REVOKED_HEADER];
      }
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, headers);
      // A response of unknown length may be a stream whose first event is far off: the client should see it open now.
      if (upstreamRes.headers['content-length'] === undefined) res.flushHeaders();
      // A failed upstream cuts the client's stream; a client that leaves destroys the upstream request (below).
      // (Not stream.pipeline: it builds an AbortController, and an AbortError with its stack, for every response.)
      upstreamRes.on('error', () => res.destroy());
      upstreamRes.pipe(res);
    });
    upstreamReq.on('error', (err) => {
      if (answered || clientGone) return;
      answered = true;
      this.opts.onUpstreamFailure?.(service);
      this.opts.logger.event('warn', 'upstream unavailable', { upstream: service, method: req.method, path: target.pathname, error: err.message });
      sendError(res, 502, { code: 'UPSTREAM_UNAVAILABLE', message: `${service} is unavailable: ${err.message}`, service });
    });
    res.on('close', () => {
      if (!res.writableFinished) {
        clientGone = true;
        upstreamReq.destroy();
      }
      if (span) {
        span.setAttribute('http.response.status_code', res.statusCode);
        endSpan(span, res.statusCode >= 500 ? new Error(`HTTP ${res.statusCode}`) : undefined);
      }
      this.opts.logger.event('debug', 'proxied', { upstream: service, method: req.method, path: target.pathname, status: res.statusCode, ms: Date.now() - started, complete: !clientGone });
    });

    // A declared length was checked against the limit, and Node's parser reads no more than it; only a chunked body is counted.
    if (req.headers['transfer-encoding'] === undefined) {
      req.pipe(upstreamReq);
      return;
    }
    const limiter = byteLimit(this.opts.bodyLimitBytes);
    limiter.on('error', () => {
      upstreamReq.destroy();
      if (answered) return;
      answered = true;
      this.tooLarge(res);
    });
    req.pipe(limiter).pipe(upstreamReq);
  }

  /** Bounds only connection setup: a response may take as long as it likes. */
  private limitConnect(upstreamReq: ClientRequest): void {
    const ms = this.opts.connectTimeoutMs ?? 5000;
    upstreamReq.on('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => upstreamReq.destroy(new Error(`no connection within ${ms}ms`)), ms);
      socket.once('connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
  }

  private tooLarge(res: ServerResponse): void {
    // Closing the connection spares reading the rest of an oversized body.
    sendError(res, 413, { code: 'PAYLOAD_TOO_LARGE', message: `request body exceeds the limit of ${this.opts.bodyLimitBytes} bytes` }, { connection: 'close' });
  }
}
