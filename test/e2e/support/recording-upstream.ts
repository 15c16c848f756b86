import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request exactly as it reached the upstream. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | null;
  body: string;
}

export interface RecordingUpstream {
  /** Where the app under test is pointed: same paths as the target. */
  url: string;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

/**
 * A fake upstream that records every request (method, path, query,
 * content-type, raw body) and has the target answer it: what goes over the
 * wire can be checked exactly, while the answers stay those of the target.
 */
export async function startRecordingUpstream(target: string): Promise<RecordingUpstream> {
  const origin = new URL(target).origin;
  const requests: RecordedRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', origin);
    requests.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), contentType: req.headers['content-type'] ?? null, body: body.toString('utf8') });
    try {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => ['content-type', 'accept'].includes(k))) as Record<string, string>;
      const answer = await fetch(url, { method: req.method, headers, body: body.length ? body : undefined });
      const text = await answer.text();
      res.writeHead(answer.status, Object.fromEntries([...answer.headers].filter(([k]) => ['content-type', 'retry-after'].includes(k))));
      res.end(text);
    } catch {
      // The target dropped the connection (a simulated fault): so does the fake.
      res.socket?.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const path = new URL(target).pathname.replace(/\/$/, '');
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
