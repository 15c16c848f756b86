import { sseMessages } from './sse-stream.js';

/** A body that arrives in the given chunks, as a slow network splits it. */
const bodyOf = (chunks: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });

const collect = async (chunks: (string | Uint8Array)[]) => {
  const out: unknown[] = [];
  for await (const m of sseMessages(bodyOf(chunks.map((c) => (typeof c === 'string' ? new TextEncoder().encode(c) : c))))) out.push(m);
  return out;
};

describe('sseMessages', () => {
  it('yields each message whole however the bytes are split, across CRLF, comments and multi-byte characters', async () => {
    const text = 'id: c1\r\ndata: {"type":"heartbeat","n":"ü✓"}\r\n\r\n: keep-alive\n\nid: c2\ndata: {"type":"data_change",\ndata: "recordId":"r1"}\n\n';
    const expected = [{ type: 'heartbeat', n: 'ü✓' }, { type: 'data_change', recordId: 'r1' }];
    expect(await collect([text])).toEqual(expected);
    // One byte at a time: every multi-byte character and every line ending is cut somewhere.
    expect(await collect([...new TextEncoder().encode(text)].map((b) => new Uint8Array([b])))).toEqual(expected);
  });

  it('waits for the blank line that ends a message', async () => {
    expect(await collect(['data: {"type":"heartbeat"}\n'])).toEqual([]);
    expect(await collect(['data: {"type":', '"heartbeat"}\n', '\n'])).toEqual([{ type: 'heartbeat' }]);
  });
});
