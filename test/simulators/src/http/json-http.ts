import type { IncomingMessage, ServerResponse } from 'node:http';

/** What both upstream simulators answer with: JSON bodies, and waits a client hang-up cuts short. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The request body as JSON: `{}` when empty, undefined when malformed. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
  } catch {
    return undefined;
  }
}

export function sleep(ms: number, res?: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    res?.once('close', () => (clearTimeout(t), resolve()));
  });
}
