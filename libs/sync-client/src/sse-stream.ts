import type { ServerMessage } from './messages';

/** Reads an SSE response body (fetch streaming works in browsers and Node 18+) and yields its JSON messages. */
export async function* sseMessages(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
        if (data) yield JSON.parse(data) as ServerMessage;
      }
    }
  } finally {
    reader.releaseLock();
  }
}
