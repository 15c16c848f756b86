import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';

export const ORCHESTRATE_SYNC_PATH = '/api/internal/orchestrate-sync';
const LIMIT_BYTES = 64 * 1024;

/** `bodyError`: why the raw body is not JSON, for the handler to say once the signature holds. */
export type RequestWithRawBody = Request & { rawBody?: Buffer; bodyError?: string };

/**
 * A signature covers the exact bytes sent, which the edge's JSON parser throws
 * away. This provider registers, while the app is being created (so ahead of
 * the edge's parser), a middleware for the signed route only that keeps the raw
 * body and parses it itself; the edge parser then finds the request consumed and
 * passes. (A `verify` hook in @ripple/http-edge's express.json would make this unnecessary.)
 */
@Injectable()
export class RawBodyCapture {
  constructor(host: HttpAdapterHost) {
    host.httpAdapter.use(ORCHESTRATE_SYNC_PATH, captureRawBody);
  }
}

function captureRawBody(req: RequestWithRawBody, res: Response, next: NextFunction): void {
  if (req.method !== 'POST') return next();
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= LIMIT_BYTES) chunks.push(c);
  });
  req.on('error', next);
  req.on('end', () => {
    if (size > LIMIT_BYTES) return void res.status(413).json({ success: false, error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body exceeds the limit' } });
    req.rawBody = Buffer.concat(chunks);
    const text = req.rawBody.toString('utf8');
    try {
      req.body = text.trim() ? JSON.parse(text) : {};
    } catch (err) {
      req.bodyError = `request body is not valid JSON: ${(err as Error).message}`;
    }
    next();
  });
}
