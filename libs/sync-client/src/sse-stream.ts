import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ServerMessage } from './messages.js';

/** Reads an SSE response body (fetch streaming works in browsers and Node 18+) and yields its JSON messages. */
export async function* sseMessages(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parsed: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => parsed.push(event) });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      // Drained as we go: a handler that throws must not see the same message again.
      while (parsed.length > 0) {
        const event = parsed.shift()!;
        if (event.data) yield JSON.parse(event.data) as ServerMessage;
      }
    }
  } finally {
    reader.releaseLock();
  }
}
