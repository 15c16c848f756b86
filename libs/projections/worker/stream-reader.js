'use strict';
/**
 * A replay's reader, on a thread of its own (see `readStream` in ../src/stream-reader.ts): reads
 * a stream in order through an ordered consumer on its own connection, and hands the messages'
 * bytes to the thread that started it in chunks, each one ArrayBuffer (transferred, not copied)
 * with the messages' lengths and stream sequences. Parsing the NATS protocol and the consumer's
 * bookkeeping then run beside the replay's decoding and folding, on another core, and the garbage
 * of each message (the client's objects for it) is collected in this thread's small heap.
 *
 * Plain JavaScript outside src/, so the same file runs under the compiled build and under Jest.
 * It holds at most `credits` chunks not yet taken: each chunk taken gives it one more (the message 1).
 * The message 'stop' ends the reading early: it deletes its consumer and closes its connection,
 * as it does at the end of its range, and the thread ends.
 */
const { parentPort, workerData } = require('node:worker_threads');
const { connect } = require('@nats-io/transport-node');
const { jetstream } = require('@nats-io/jetstream');

const { connectOptions, stream, consumerOptions, consumeOptions, endSeq, chunkMessages, chunkBytes, credits: maxCredits } = workerData;

let credits = maxCredits;
let stopping = false;
let wake;
let messages;
parentPort.on('message', (m) => {
  if (m === 'stop') {
    stopping = true;
    void messages?.close();
  } else credits++;
  wake?.();
});

async function main() {
  const nc = await connect(connectOptions);
  try {
    const consumer = await jetstream(nc).consumers.get(stream, consumerOptions);
    try {
      await read(consumer);
    } finally {
      await consumer.delete().catch(() => undefined);
    }
  } finally {
    await nc.close();
  }
}

async function read(consumer) {
  // Nothing to read (the stream was purged, say): consume() would wait forever for a message.
  if ((await consumer.info(true)).num_pending === 0 || stopping) {
    parentPort.postMessage({ bytes: new ArrayBuffer(0), used: 0, lengths: new Uint32Array(0), seqs: new Float64Array(0), done: true });
    return;
  }
  let chunk = new Uint8Array(chunkBytes);
  let used = 0;
  const lengths = new Uint32Array(chunkMessages);
  const seqs = new Float64Array(chunkMessages);
  let count = 0;
  const send = async (done) => {
    while (credits === 0 && !stopping) await new Promise((resolve) => (wake = resolve));
    if (stopping) return;
    credits--;
    // The chunk's buffer itself is handed over (its first `used` bytes), and the next chunk gets a new one.
    const bytes = chunk.buffer;
    parentPort.postMessage({ bytes, used, lengths: lengths.slice(0, count), seqs: seqs.slice(0, count), done }, [bytes]);
    chunk = new Uint8Array(chunkBytes);
    used = 0;
    count = 0;
  };
  messages = await consumer.consume(consumeOptions);
  try {
    for await (const m of messages) {
      if (stopping) break;
      const data = m.data;
      if (count > 0 && used + data.length > chunk.length) await send(false);
      // A message larger than a chunk gets a chunk of its own size.
      if (data.length > chunk.length) chunk = new Uint8Array(data.length);
      chunk.set(data, used);
      used += data.length;
      lengths[count] = data.length;
      seqs[count] = m.seq;
      count++;
      const done = m.seq >= endSeq || m.info.pending === 0;
      if (done || count === chunkMessages) await send(done);
      if (done) break;
    }
  } finally {
    await messages.close();
  }
}

// Done, the thread closes its port (whose listener would keep it alive) and ends. A failure ends it
// with the failure: the Worker's 'error' event, in the thread that takes the chunks.
main().then(
  () => parentPort.close(),
  (error) => {
    throw error;
  },
);
