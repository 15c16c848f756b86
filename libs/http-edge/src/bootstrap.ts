import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import { observeHttpRequests, traceHttpRequests, tracingOn, withLogContext, type JsonLogger, type RippleMetrics } from '@ripple/observability';
import { ErrorFilter } from './error-filter';
import { findInputProblem, inputProblemError } from './storable-input';
import { strictValidationPipe } from './validation';

export interface HttpAppOptions {
  logger: JsonLogger;
  metrics: RippleMetrics;
  bodyLimit: string;
}

export const CORRELATION_HEADER = 'x-correlation-id';

/** The client's correlation id if it is sane, else a new one: the one rule for every edge. */
export function settleCorrelationId(given: string | string[] | undefined): string {
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

/**
 * A Nest app with Ripple's HTTP edge (see `useHttpEdge`).
 */
export async function createHttpApp(module: unknown, opts: HttpAppOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module as never, { logger: opts.logger, bodyParser: false });
  useHttpEdge(app, opts);
  return app;
}

/**
 * Ripple's HTTP edge on a Nest app created with `bodyParser: false`: JSON
 * bodies only (malformed → 400, oversized → 413, too deep or holding what
 * PostgreSQL cannot store → 400), a correlation id on every request and log
 * line, strict validation and domain errors mapped to statuses. Called
 * before the app initializes (its middleware goes first).
 */
export function useHttpEdge(app: INestApplication, opts: HttpAppOptions): void {
  app.use(correlation);
  app.use(observeHttpRequests(opts.metrics));
  app.use(express.json({ limit: opts.bodyLimit, strict: true, type: ['application/json', 'application/*+json'] }));
  app.use(bodyErrors);
  app.use(storableBody);
  if (tracingOn()) app.use(traceHttpRequests());
  // Entered after body parsing: stream callbacks would not carry the context through it.
  app.use((req: Request, _res: Response, next: NextFunction) => withLogContext({ correlationId: correlationIdOf(req) }, () => next()));
  app.useGlobalPipes(strictValidationPipe());
  app.useGlobalFilters(new ErrorFilter(opts.logger));
}

function correlation(req: Request, res: Response, next: NextFunction) {
  const correlationId = settleCorrelationId(req.header(CORRELATION_HEADER));
  res.setHeader(CORRELATION_HEADER, correlationId);
  (req as Request & { correlationId: string }).correlationId = correlationId;
  next();
}

function bodyErrors(err: { type?: string; status?: number; message?: string } | undefined, _req: Request, res: Response, next: NextFunction) {
  if (!err) return next();
  if (err.type === 'entity.too.large') {
    return res.status(413).json({ success: false, error: { code: 'PAYLOAD_TOO_LARGE', message: `request body exceeds the limit` } });
  }
  if (err.type === 'entity.parse.failed') {
    return res.status(400).json({ success: false, error: { code: 'MALFORMED_JSON', message: `request body is not valid JSON: ${err.message}` } });
  }
  return res.status(err.status ?? 400).json({ success: false, error: { code: 'BAD_REQUEST', message: err.message ?? 'bad request' } });
}

/** Checked for every body, whichever way a handler reads it. */
function storableBody(req: Request, res: Response, next: NextFunction) {
  const problem = findInputProblem(req.body);
  if (!problem) return next();
  res.status(400).json({ success: false, error: inputProblemError(problem, 'request body') });
}

/** The request's correlation id (set by the edge middleware). */
export const correlationIdOf = (req: unknown): string => (req as { correlationId?: string }).correlationId ?? randomUUID();
