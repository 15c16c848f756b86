import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Broker } from '@ripple/messaging';

/** Messages of a stream, in order: their bytes back to back, each one's length and stream sequence. */
export interface StreamChunk {
  bytes: Uint8Array;
  lengths: Uint32Array;
  seqs: Float64Array;
  /** The last chunk: its last message is the one at `endSeq`, or the stream's last. */
  done: boolean;
}

export interface StreamRange {
  stream: string;
  filterSubject: string;
  /** Read from the message after this sequence (0: from the first). */
  afterSeq: number;
  /** Stop at this sequence, or at the stream's end if that comes first. */
  endSeq: number;
  /** Messages the consumer pulls at a time. */
  readAhead: number;
}

const WORKER = join(__dirname, '..', 'worker', 'stream-reader.js');
const CHUNK_MESSAGES = 1_000;
const CHUNK_BYTES = 2 ** 20;
/** Chunks read ahead of the one being taken. */
const CHUNKS_AHEAD = 4;
const CLOSE_WAIT_MS = 5_000;

/**
 * Reads a range of a stream on a worker thread (worker/stream-reader.js), with its own connection
 * to the broker: the NATS protocol's parsing and the consumer's bookkeeping run on another core than
 * the caller's decoding. Yields the messages in chunks; the reader stays at most CHUNKS_AHEAD
 * chunks ahead of the caller. Ending the loop early (a break, or a throw) stops the reading, and
 * the thread with it.
 */
export async function* readStream(broker: Broker, range: StreamRange): AsyncGenerator<StreamChunk> {
  const worker = new Worker(WORKER, {
    workerData: { ...range, connectOptions: broker.connectOptions, chunkMessages: CHUNK_MESSAGES, chunkBytes: CHUNK_BYTES, credits: CHUNKS_AHEAD },
  });
  const ready: StreamChunk[] = [];
  let failed: { error: unknown } | undefined;
  let ended = false;
  let finished = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  worker.on('message', (m: { bytes: ArrayBuffer; used: number; lengths: Uint32Array; seqs: Float64Array; done: boolean }) => {
    ready.push({ bytes: new Uint8Array(m.bytes, 0, m.used), lengths: m.lengths, seqs: m.seqs, done: m.done });
    notify();
  });
  worker.on('error', (error) => {
    failed ??= { error };
    notify();
  });
  worker.on('exit', (code) => {
    ended = true;
    if (code !== 0) failed ??= { error: new Error(`the stream reader of ${range.stream} stopped with code ${code}`) };
    notify();
  });
  try {
    for (;;) {
      const chunk = ready.shift();
      if (chunk) {
        // Taken: the reader may read one more ahead.
        worker.postMessage(1);
        yield chunk;
        if (chunk.done) {
          finished = true;
          return;
        }
        continue;
      }
      if (failed) throw failed.error;
      if (ended) throw new Error(`the stream reader of ${range.stream} ended before the end of its range`);
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    // Read to the end or stopped early, the thread deletes its consumer (which the server would
    // otherwise keep for 5 minutes) and closes its connection; given a few seconds for it, it is ended.
    if (!finished) worker.postMessage('stop');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
    await worker.terminate();
  }
}
