import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DeliverPolicy, type OrderedConsumerOptions } from '@nats-io/jetstream';
import type { Broker } from '@ripple/messaging';
import { PULL_EXPIRES_MS, PULL_HEARTBEAT_MS } from './projection-runner';

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
  /** Only the messages of these subjects; undefined: every message of the stream. */
  filterSubject?: string;
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
 * Ranges shorter than this are read on the caller's thread. Starting a thread and its connection
 * takes tens of milliseconds (75-100 ms for five messages, against 3-5 ms on the caller's
 * connection), more than a short read gains from it, and a rebuild's catch-up reads its range
 * while it holds the projection's lock, which live batches wait for.
 */
const IN_THREAD_BELOW = 20_000;

/**
 * Reads a range of a stream in order, in chunks. A long range is read on a worker thread (worker/stream-reader.js),
 * with its own connection to the broker: the NATS protocol's parsing and the consumer's bookkeeping then run on
 * another core than the caller's decoding, and the reader stays at most CHUNKS_AHEAD chunks ahead of the caller.
 * A short one (`inThreadBelow` sequences) is read here, on the broker's connection, a message a chunk. Either
 * way, ending the loop early (a break, or a throw) stops the reading and deletes its consumer.
 */
export function readStream(broker: Broker, range: StreamRange, { inThreadBelow = IN_THREAD_BELOW }: { inThreadBelow?: number } = {}): AsyncGenerator<StreamChunk> {
  return range.endSeq - range.afterSeq < inThreadBelow ? readHere(broker, range) : readOnWorker(broker, range);
}

/** The range's ordered consumer (the same for both readers: the worker is given it). */
const consumerOptions = (range: StreamRange): Partial<OrderedConsumerOptions> => ({
  ...(range.filterSubject === undefined ? {} : { filter_subjects: range.filterSubject }),
  deliver_policy: range.afterSeq === 0 ? DeliverPolicy.All : DeliverPolicy.StartSequence,
  ...(range.afterSeq === 0 ? {} : { opt_start_seq: range.afterSeq + 1 }),
});

/**
 * How the consumer pulls: `readAhead` messages at a time, with the projection runners' pull life and heartbeat. A pull
 * lost with its connection (the broker restarted, say) is noticed after two missed heartbeats, 4 s, where the client's
 * default (pulls of 30 s, a heartbeat every 15) held a replay up for 30 s.
 */
const consumeOptions = (range: StreamRange) => ({ max_messages: range.readAhead, expires: PULL_EXPIRES_MS, idle_heartbeat: PULL_HEARTBEAT_MS });

const NOTHING: StreamChunk = { bytes: new Uint8Array(0), lengths: new Uint32Array(0), seqs: new Float64Array(0), done: true };

async function* readHere(broker: Broker, range: StreamRange): AsyncGenerator<StreamChunk> {
  const consumer = await broker.js.consumers.get(range.stream, consumerOptions(range));
  try {
    // Nothing to read (the stream was purged, say): consume() would wait forever for a message.
    if ((await consumer.info(true)).num_pending === 0) {
      yield NOTHING;
      return;
    }
    const messages = await consumer.consume(consumeOptions(range));
    try {
      for await (const m of messages) {
        const done = m.seq >= range.endSeq || m.info.pending === 0;
        yield { bytes: m.data, lengths: Uint32Array.of(m.data.length), seqs: Float64Array.of(m.seq), done };
        if (done) return;
      }
    } finally {
      await messages.close();
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
}

async function* readOnWorker(broker: Broker, range: StreamRange): AsyncGenerator<StreamChunk> {
  const worker = new Worker(WORKER, {
    workerData: {
      connectOptions: broker.connectOptions,
      stream: range.stream,
      consumerOptions: consumerOptions(range),
      endSeq: range.endSeq,
      consumeOptions: consumeOptions(range),
      chunkMessages: CHUNK_MESSAGES,
      chunkBytes: CHUNK_BYTES,
      credits: CHUNKS_AHEAD,
    },
  });
  const ready: StreamChunk[] = [];
  let failed: { error: unknown } | undefined;
  let ended = false;
  let finished = false;
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
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      ended = true;
      if (code !== 0) failed ??= { error: new Error(`the stream reader of ${range.stream} stopped with code ${code}`) };
      notify();
      resolve();
    }),
  );
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
