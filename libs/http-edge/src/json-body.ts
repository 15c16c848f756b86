import { BadRequestException, SetMetadata, UnsupportedMediaTypeException } from '@nestjs/common';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import type { FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { findInputProblem, inputProblemError } from './storable-input';

const SIGNED_BODY = 'rippleSignedBody';

/** What a handler of a JSON route finds on its request, beside `body`. */
export interface JsonBodyRequest {
  headers: IncomingHttpHeaders;
  body?: unknown;
  /** The bytes as sent, for every non-empty JSON body. */
  rawBody?: Buffer | null;
  /** On a `@SignedBody()` route only: why the bytes are not JSON, for the handler to say once the signature holds. */
  bodyError?: string | null;
}

/**
 * The route checks a signature over the raw body before it reads the body, so
 * an unsigned or forged request learns nothing about what a valid body is: a
 * body that is not JSON reaches the handler as `bodyError` instead of a 400.
 * (The depth and storability checks still answer 400 first: they are about
 * what the edge will hold in memory and hand on, not about the body's meaning.)
 */
// Fastify's route config, set as `@RouteConfig` sets it, without loading Fastify where the app runs on Express.
export const SignedBody = (): MethodDecorator => SetMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { [SIGNED_BODY]: true });

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

/**
 * Why a content type is not one the edge reads (undefined: it is JSON, in
 * UTF-8). `application/json` and `application/*+json`, with no charset or UTF-8.
 */
export function contentTypeProblem(header: string | undefined): string | undefined {
  const [type, ...params] = (header ?? '').split(';');
  const media = type.trim().toLowerCase();
  if (!JSON_TYPE.test(media)) return `content type ${media ? `"${media}"` : '(none)'} is not supported; send application/json`;
  for (const param of params) {
    const [name, value = ''] = param.split('=');
    const charset = value.trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (name.trim().toLowerCase() === 'charset' && charset !== 'utf-8' && charset !== 'utf8') return `charset "${charset}" is not supported; send UTF-8`;
  }
  return undefined;
}

/**
 * JSON like `JSON.parse`, but only an object or an array at the top (as the
 * strict body parsers have it), without a leading byte order mark.
 */
export function parseJsonDocument(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = /\S/.exec(body)?.[0];
  if (first !== '{' && first !== '[') throw new SyntaxError(`expected an object or an array${first ? `, found "${first}"` : ''}`);
  return JSON.parse(body);
}

/**
 * The edge's one body parser, for every content type (Fastify's
 * content-type parser '*', `parseAs: 'buffer'`, within BODY_LIMIT). An empty
 * body is none; a non-empty one must be JSON (else 415), parse (else 400
 * MALFORMED_JSON) and hold nothing PostgreSQL cannot store nor nest too deep
 * (else 400 naming the field). Errors go to Nest's exception layer, so the
 * error filter answers them like any other.
 */
export function parseJsonBody(request: FastifyRequest, raw: Buffer, done: (err: Error | null, body?: unknown) => void): void {
  const req = request as FastifyRequest & JsonBodyRequest;
  const typeProblem = contentTypeProblem(request.headers['content-type']);
  if (raw.length === 0) return done(null, typeProblem ? undefined : {});
  if (typeProblem) return done(new UnsupportedMediaTypeException({ code: 'UNSUPPORTED_MEDIA_TYPE', message: typeProblem }));
  req.rawBody = raw;
  let body: unknown;
  try {
    body = parseJsonDocument(raw.toString('utf8'));
  } catch (err) {
    const message = `request body is not valid JSON: ${(err as Error).message}`;
    if ((request.routeOptions.config as unknown as Record<string, unknown>)[SIGNED_BODY]) {
      req.bodyError = message;
      return done(null, undefined);
    }
    return done(new BadRequestException({ code: 'MALFORMED_JSON', message }));
  }
  const problem = findInputProblem(body);
  if (problem) return done(new BadRequestException(inputProblemError(problem, 'request body')));
  done(null, body);
}
