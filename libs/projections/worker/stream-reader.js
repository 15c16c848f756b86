'use strict';
/**
 * A replay's reader, on a thread of its own (see `readStream` in ../src/stream-reader.ts): reads
 * a stream in order on its own connection, and hands the messages' bytes to the thread that started
 * it in chunks, each one ArrayBuffer (transferred, not copied) with the messages' lengths and stream
 * sequences. Parsing the NATS protocol then runs beside the replay's decoding and folding, on another
 * core, and the garbage of each message (the client's objects for it) is collected in this thread's
 * small heap.
 *
 * It pulls from an ephemeral consumer of its own (no acks, in memory: what the client's ordered
 * consumer makes) through a plain subscription, and reads each message's stream sequence and the
 * messages still pending from its reply subject. The client's consumer API costs 1.6-2.5 times the CPU
 * per message (an iterator, a JsMsg and its parsed info each), and this thread's CPU is most of what
 * a rebuild waits for on two cores. What the ordered consumer does against loss is done here too: a
 * delivery that skips one, a reconnect, a status that ends the consumer, or nothing at all (not even
 * a heartbeat) for two heartbeats, and the reading starts again after the last message taken, on a
 * new consumer.
 *
 * Plain JavaScript outside src/, so the same file runs under the compiled build and under Jest.
 * It holds at most `credits` chunks not yet taken: each chunk taken gives it one more (the message 1);
 * while it has none, it pulls no more. The message 'stop' ends the reading early: it deletes its
 * consumer and closes its connection, as it does at the end of its range, and the thread ends.
 */
const { parentPort, workerData } = require('node:worker_threads');
const { connect, createInbox } = require('@nats-io/transport-node');
const { jetstreamManager, AckPolicy, DeliverPolicy } = require('@nats-io/jetstream');

const { connectOptions, stream, consumerOptions, consumeOptions, endSeq, chunkMessages, chunkBytes, credits: maxCredits } = workerData;
const BATCH = consumeOptions.max_messages;
const EXPIRES_MS = consumeOptions.expires;
const HEARTBEAT_MS = consumeOptions.idle_heartbeat;
/** An unused consumer is dropped by the server after this long, should this thread end without deleting it. */
const INACTIVE_MS = 5 * 60_000;
/** New consumers tried, half a second apart, before a restart gives up. */
const RESTART_ATTEMPTS = 60;

let credits = maxCredits;
let stopping = false;
let wake;
parentPort.on('message', (m) => {
  if (m === 'stop') stopping = true;
  else credits++;
  wake?.();
});

const EMPTY = { bytes: new ArrayBuffer(0), used: 0, lengths: new Uint32Array(0), seqs: new Float64Array(0), done: true };

async function main() {
  const nc = await connect(connectOptions);
  try {
    await read(nc, await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
}

/** A delivery's stream sequence, delivery sequence and the messages pending after it, from its reply subject (`$JS.ACK.…`, both forms). */
function deliveryOf(reply) {
  const t = reply.split('.');
  // $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>, or with <domain>.<account hash> after ACK and a token at the end.
  const at = t.length === 9 ? 5 : 7;
  return { seq: Number(t[at]), dseq: Number(t[at + 1]), pending: Number(t[at + 3]) };
}

async function read(nc, jsm) {
  let chunk = new Uint8Array(chunkBytes);
  let used = 0;
  const lengths = new Uint32Array(chunkMessages);
  const seqs = new Float64Array(chunkMessages);
  let count = 0;
  /** Chunks made and not yet handed over (no credit for them yet). */
  const made = [];
  let finished = false;
  let failed;
  /** The stream sequence of the last message taken (0: none yet). */
  let lastSeq = 0;
  /** The consumer read now, its subscription, what its pulls still ask for and the next delivery sequence expected. */
  let current;
  let lastHeard = Date.now();
  let resetting;

  const seal = (done) => {
    made.push({ bytes: chunk.buffer, used, lengths: lengths.slice(0, count), seqs: seqs.slice(0, count), done });
    chunk = new Uint8Array(chunkBytes);
    used = 0;
    count = 0;
  };
  /** Hands over what it has credit for; true when the last chunk is gone. */
  const handOver = () => {
    while (made.length > 0 && credits > 0 && !stopping) {
      credits--;
      const c = made.shift();
      parentPort.postMessage(c, [c.bytes]);
      if (c.done) return true;
    }
    return false;
  };
  /**
   * Keeps between half a pull and a pull and a half of messages asked for, while it holds fewer chunks than it may hand over
   * at most: what it holds is bounded by those and what its pulls ask for, and the pulls do not wait for each credit.
   */
  const pullMore = () => {
    if (!current || finished || stopping) return;
    while (current.requested <= BATCH / 2 && made.length < maxCredits) {
      nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${current.name}`, JSON.stringify({ batch: BATCH, expires: EXPIRES_MS * 1e6, idle_heartbeat: HEARTBEAT_MS * 1e6 }), { reply: current.inbox });
      current.requested += BATCH;
      // Heartbeats are counted from the pull on (none come while none waits).
      lastHeard = Date.now();
    }
  };
  const take = (data, seq, pending) => {
    if (count > 0 && used + data.length > chunk.length) seal(false);
    // A message larger than a chunk gets a chunk of its own size.
    if (data.length > chunk.length) chunk = new Uint8Array(data.length);
    chunk.set(data, used);
    used += data.length;
    lengths[count] = data.length;
    seqs[count] = seq;
    count++;
    lastSeq = seq;
    const done = seq >= endSeq || pending === 0;
    if (done || count === chunkMessages) seal(done);
    return done;
  };

  /** A consumer from the message after the last one taken (from the range's start at first), and its subscription. */
  const open = async () => {
    // The ordered consumer's options (its filter as `filter_subjects`, one subject: `filter_subject` to the server, which 2.9 knows).
    const { filter_subjects: filter, ...from } = lastSeq === 0 ? consumerOptions : { ...consumerOptions, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: lastSeq + 1 };
    const info = await jsm.consumers.add(stream, {
      ...from,
      ...(filter === undefined ? {} : { filter_subject: filter }),
      ack_policy: AckPolicy.None,
      mem_storage: true,
      num_replicas: 1,
      inactive_threshold: INACTIVE_MS * 1e6,
    });
    const reader = { name: info.name, inbox: createInbox(), requested: 0, dseq: 1, pendingAtStart: info.num_pending };
    reader.sub = nc.subscribe(reader.inbox, {
      callback: (err, m) => {
        if (current !== reader || finished) return;
        lastHeard = Date.now();
        if (err) return fail(err);
        if (!m.reply) {
          // A status: a heartbeat (100) says only that the pull lives; an expired pull (408) or none left (404) asks for what it
          // says was left no more; a bad request (400) is this code's fault and ends the reading; anything else (409: the
          // consumer deleted, a new leader, …; 503: no JetStream) ends this consumer.
          const code = m.headers?.code;
          if (code === 408 || code === 404) {
            const left = Number(m.headers.get('Nats-Pending-Messages'));
            reader.requested = left > 0 ? Math.max(0, reader.requested - left) : 0;
            pullMore();
          } else if (code === 400) fail(new Error(`${stream}: the broker refused a pull: ${m.headers.description}`));
          else if (code !== 100) restart();
          return;
        }
        const { seq, dseq, pending } = deliveryOf(m.reply);
        // A delivery skipped (lost in a reconnect, say): read again from the last message taken.
        if (dseq !== reader.dseq) return restart();
        reader.dseq++;
        reader.requested--;
        if (take(m.data, seq, pending)) finished = true;
        if (handOver()) return settle();
        pullMore();
      },
    });
    return reader;
  };
  const close = async (reader) => {
    reader.sub.unsubscribe();
    await jsm.consumers.delete(stream, reader.name).catch(() => undefined);
  };

  let settle;
  const ended = new Promise((resolve) => (settle = resolve));
  const fail = (err) => {
    failed ??= err;
    settle();
  };
  /**
   * Reads again after the last message taken, on a new consumer (one restart at a time). The broker may
   * still be coming back: it tries every half second, for as long as a broker takes to restart (30 s).
   */
  const restart = () => {
    if (resetting || finished || stopping) return;
    const old = current;
    current = undefined;
    resetting = (async () => {
      if (old) await close(old);
      for (let attempt = 1; ; attempt++) {
        if (stopping) return;
        try {
          current = await open();
          pullMore();
          return;
        } catch (err) {
          if (/stream not found/i.test(String(err?.message)) || attempt >= RESTART_ATTEMPTS) throw err;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })().then(() => (resetting = undefined), fail);
  };

  current = await open();
  if (current.pendingAtStart === 0 || stopping) {
    // Nothing to read (the stream was purged, say): a pull would wait for its expiry.
    await close(current);
    parentPort.postMessage(EMPTY);
    return;
  }
  // The pulls are lost with a connection: once it is back, a new consumer (the broker may have lost this one too).
  (async () => {
    for await (const s of nc.status()) if (s.type === 'reconnect') restart();
  })().catch(() => undefined);
  const watch = setInterval(() => {
    // A pull waiting, and neither a message nor a heartbeat for two heartbeats: it was lost (its consumer's leader gone, say).
    if (current && current.requested > 0 && Date.now() - lastHeard > 2 * HEARTBEAT_MS) restart();
  }, HEARTBEAT_MS / 2);
  wake = () => {
    if (stopping) return settle();
    if (handOver()) return settle();
    pullMore();
  };
  pullMore();
  try {
    await ended;
    if (failed) throw failed;
  } finally {
    clearInterval(watch);
    await resetting;
    if (current) await close(current);
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
