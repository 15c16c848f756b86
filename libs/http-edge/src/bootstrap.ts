import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { parseByteSize } from '@ripple/config';
import { observeHttpRequests, traceHttpRequests, tracingOn, withLogContext, type JsonLogger, type RippleMetrics } from '@ripple/observability';
import { ErrorFilter } from './error-filter';
import { parseJsonBody } from './json-body';
import { strictValidationPipe } from './validation';

export interface HttpAppOptions {
  logger: JsonLogger;
  metrics: RippleMetrics;
  /** The largest body taken, such as `100kb` (BODY_LIMIT); a larger one is a 413. */
  bodyLimit: string;
}

export const CORRELATION_HEADER = 'x-correlation-id';

/** The client's correlation id if it is sane, else a new one: the one rule for every edge. */
export function settleCorrelationId(given: string | string[] | undefined): string {
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

/** A Nest app on Fastify with Ripple's HTTP edge (see `useHttpEdge`), not yet initialized. */
export async function createHttpApp(module: unknown, opts: HttpAppOptions): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module as never, httpEdgeAdapter(), { logger: opts.logger, bodyParser: false });
  useHttpEdge(app, opts);
  return app;
}

/**
 * The HTTP server under every service's edge: Nest's Fastify adapter (about a
 * fifth of the CPU per request of Express's; see the README's performance
 * section). A request that arrives while the app closes is served, as on Node's
 * own server (the database closes after HTTP has), not answered with Fastify's
 * 503, whose body is not in Ripple's error shape. A path parameter of any
 * length (the URL's is bounded by Node's header limit) reaches its route, so
 * validation answers a bad one naming it, where Fastify's router would answer
 * a long one 404.
 */
export function httpEdgeAdapter(): FastifyAdapter {
  // Loaded here, not at the top: the gateway imports this library and runs on Express, and Fastify costs a process ~0.14 s to load.
  const { FastifyAdapter } = require('@nestjs/platform-fastify') as typeof import('@nestjs/platform-fastify');
  return new FastifyAdapter({ return503OnClosing: false, routerOptions: { maxParamLength: 16 * 1024 } });
}

/** The route pattern a request matched (`/api/users/:id`), for metrics and spans; undefined when none did. */
const routeOf = (req: FastifyRequest): string | undefined => req.routeOptions.url;

/**
 * Ripple's HTTP edge on a Nest app made with `httpEdgeAdapter()` and
 * `bodyParser: false`: JSON bodies only (another content type → 415,
 * malformed → 400, over `bodyLimit` → 413, too deep or holding what
 * PostgreSQL cannot store → 400 naming the field), a correlation id on every
 * request, answer and log line, request metrics (and spans while tracing),
 * strict validation, and domain errors mapped to statuses. Called before the
 * app initializes.
 */
export function useHttpEdge(app: NestFastifyApplication, opts: HttpAppOptions): void {
  const bodyLimit = parseByteSize(opts.bodyLimit);
  if (bodyLimit === undefined) throw new Error(`body limit "${opts.bodyLimit}" must be a size such as 512b, 100kb or 1mb`);
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  fastify.decorateRequest('correlationId', '');
  fastify.decorateRequest('rawBody', null);
  fastify.decorateRequest('bodyError', null);
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, parseJsonBody);
  const observe = observeHttpRequests(opts.metrics, routeOf);
  fastify.addHook('onRequest', (req, reply, done) => {
    const correlationId = settleCorrelationId(req.headers[CORRELATION_HEADER]);
    (req as FastifyRequest & { correlationId: string }).correlationId = correlationId;
    // On the Node response, so answers written past Fastify (a streamed replay) carry it too.
    reply.raw.setHeader(CORRELATION_HEADER, correlationId);
    observe(req, reply.raw, done);
  });
  const trace = tracingOn() ? traceHttpRequests(routeOf) : undefined;
  // After the body is read: stream callbacks would not carry the contexts through it. The handler runs inside both.
  fastify.addHook('preHandler', (req, reply, done) => withLogContext({ correlationId: correlationIdOf(req) }, () => (trace ? trace(req, reply.raw, done) : done())));
  app.useGlobalPipes(strictValidationPipe());
  app.useGlobalFilters(new ErrorFilter(opts.logger, app.getHttpAdapter()));
}

/** The request's correlation id (set by the edge). */
export const correlationIdOf = (req: unknown): string => (req as { correlationId?: string }).correlationId || randomUUID();
