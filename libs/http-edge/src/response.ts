import type { ServerResponse } from 'node:http';

/**
 * What a handler sets on its answer through `@Res({ passthrough: true })`:
 * Fastify's reply and Express's response both have it.
 */
export interface ResponseHeaders {
  header(name: string, value: string): unknown;
}

/**
 * The Node response under a handler's `@Res()`, for a handler that streams its
 * answer itself: Fastify's reply is told to leave the response alone
 * (`hijack`); Express's response is Node's.
 */
export function streamingResponse(res: unknown): ServerResponse {
  const reply = res as { raw?: ServerResponse; hijack?: () => void };
  if (reply.raw && reply.hijack) {
    reply.hijack();
    return reply.raw;
  }
  return res as ServerResponse;
}
