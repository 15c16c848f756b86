import { connectBroker, type Broker } from '@ripple/messaging';
import { startPrivateNats, testNamespace, testNatsUrl, type PrivateNats } from '@ripple/testing';
import { readStream, type StreamChunk, type StreamRange } from './stream-reader';

/** The readers a replay reads its stream with, against a real JetStream: a long range's, on a worker thread, and a short one's. */
describe.each([
  ['on a worker thread', 0],
  ['on the caller\'s thread', Infinity],
])('readStream (JetStream, %s)', (_, inThreadBelow) => {
  let broker: Broker;
  const stream = `READER_${testNamespace().toUpperCase()}`;
  const subject = `${stream.toLowerCase()}.events`;
  const LAST = 7_511;

  beforeAll(async () => {
    broker = await connectBroker(await testNatsUrl(), 'stream-reader-itest');
    await broker.jsm.streams.add({ name: stream, subjects: [`${subject}.>`] });
    // 2,500 small messages (more than two chunks of 1,000), one of 900 KiB (which fits no chunk with others in it), then 5,010
    // small ones (more than the reader reads ahead of its caller).
    const publishes: Promise<unknown>[] = [];
    for (let i = 1; i <= 2_500; i++) publishes.push(broker.js.publish(`${subject}.a`, `message ${i}`));
    await Promise.all(publishes);
    await broker.js.publish(`${subject}.big`, new Uint8Array(900 * 1024).fill(7));
    const rest: Promise<unknown>[] = [];
    for (let i = 2_502; i <= LAST; i++) rest.push(broker.js.publish(`${subject}.a`, `message ${i}`));
    await Promise.all(rest);
  });

  afterAll(async () => {
    await broker?.jsm.streams.delete(stream).catch(() => undefined);
    await broker?.nc.close();
  });

  /** Every message of the chunks, in order: its sequence and its bytes as text (the big one by its size). */
  async function readAll(chunks: AsyncIterable<StreamChunk>) {
    const read: { seq: number; text: string }[] = [];
    let done = 0;
    for await (const chunk of chunks) {
      let at = 0;
      chunk.lengths.forEach((length, i) => {
        const bytes = chunk.bytes.subarray(at, (at += length));
        read.push({ seq: chunk.seqs[i], text: length > 1000 ? `${length} bytes of ${bytes[0]}` : Buffer.from(bytes).toString() });
      });
      expect(at).toBe(chunk.bytes.length);
      if (chunk.done) done++;
    }
    return { read, done };
  }

  const reader = (range: StreamRange) => readStream(broker, range, { inThreadBelow });
  const consumers = async () => (await broker.jsm.consumers.list(stream).next()).length;

  it('reads a range in order, each message whole, and ends with the last chunk', async () => {
    const { read, done } = await readAll(reader({ stream, filterSubject: `${subject}.>`, afterSeq: 1_990, endSeq: 2_505, readAhead: 300 }));
    expect(read.map((m) => m.seq)).toEqual(Array.from({ length: 2_505 - 1_990 }, (_, i) => 1_991 + i));
    expect(read[0].text).toBe('message 1991');
    expect(read.find((m) => m.seq === 2_501)?.text).toBe(`${900 * 1024} bytes of 7`);
    expect(read.at(-1)?.text).toBe('message 2505');
    expect(done).toBe(1);
    expect(await consumers()).toBe(0);
  });

  it('reads to the end of the stream when the range goes past it, and reads nothing from an empty range', async () => {
    const { read } = await readAll(reader({ stream, filterSubject: `${subject}.a`, afterSeq: LAST - 5, endSeq: 10_000, readAhead: 300 }));
    expect(read.map((m) => m.seq)).toEqual([LAST - 4, LAST - 3, LAST - 2, LAST - 1, LAST]);
    const empty = await readAll(reader({ stream, filterSubject: `${subject}.a`, afterSeq: LAST, endSeq: 10_000, readAhead: 300 }));
    expect(empty).toEqual({ read: [], done: 1 });
    expect(await consumers()).toBe(0);
  });

  it('reads every subject without a filter, and only the filter\'s with one', async () => {
    const all = await readAll(reader({ stream, afterSeq: 2_498, endSeq: 2_503, readAhead: 300 }));
    expect(all.read.map((m) => m.seq)).toEqual([2_499, 2_500, 2_501, 2_502, 2_503]);
    const filtered = await readAll(reader({ stream, filterSubject: `${subject}.a`, afterSeq: 2_498, endSeq: 2_503, readAhead: 300 }));
    expect(filtered.read.map((m) => m.seq)).toEqual([2_499, 2_500, 2_502, 2_503]);
    expect(await consumers()).toBe(0);
  });

  it('stops, and deletes its consumer, when the reading stops early', async () => {
    // After the first chunk, the reader has not reached the end of its range (on a worker, it waits for the caller to take more).
    for await (const chunk of reader({ stream, filterSubject: `${subject}.>`, afterSeq: 0, endSeq: LAST, readAhead: 300 })) {
      expect(chunk.seqs[0]).toBe(1);
      break;
    }
    // Its consumer is deleted, not left to the server, which drops an unread ordered consumer only after 5 minutes.
    expect(await consumers()).toBe(0);
  });

  it('reads on when its consumer is deleted under it: every message once, in order', async () => {
    const seqs: number[] = [];
    let deleted = 0;
    for await (const chunk of reader({ stream, afterSeq: 0, endSeq: LAST, readAhead: 300 })) {
      seqs.push(...chunk.seqs);
      if (deleted === 0) {
        for (const c of await broker.jsm.consumers.list(stream).next()) {
          await broker.jsm.consumers.delete(stream, c.name);
          deleted++;
        }
      }
    }
    expect(deleted).toBe(1);
    expect(seqs).toEqual(Array.from({ length: LAST }, (_, i) => i + 1));
    expect(await consumers()).toBe(0);
  }, 60_000);

  it('fails with the reason when it cannot read the stream', async () => {
    await expect(readAll(reader({ stream: 'NO_SUCH_STREAM', filterSubject: 'nothing.>', afterSeq: 0, endSeq: 10, readAhead: 300 }))).rejects.toThrow(/stream not found/i);
  });
});

describe.each([
  ['on a worker thread', 0],
  ['on the caller\'s thread', Infinity],
])('readStream across a restart of the broker (a nats-server of its own, %s)', (_, inThreadBelow) => {
  let nats: PrivateNats;
  let broker: Broker;
  const stream = 'READER_RESTART';
  const COUNT = 12_000;

  beforeAll(async () => {
    nats = await startPrivateNats();
    broker = await connectBroker(nats.url, 'stream-reader-restart-itest');
    await broker.jsm.streams.add({ name: stream, subjects: ['restart.>'] });
    const publishes: Promise<unknown>[] = [];
    for (let i = 1; i <= COUNT; i++) publishes.push(broker.js.publish('restart.a', `message ${i}`));
    await Promise.all(publishes);
  });

  afterAll(async () => {
    await broker?.nc.close();
    await nats?.stop();
  });

  it('reads on once the broker is back: every message once, in order', async () => {
    const seqs: number[] = [];
    let restarted = false;
    for await (const chunk of readStream(broker, { stream, filterSubject: 'restart.>', afterSeq: 0, endSeq: COUNT, readAhead: 500 }, { inThreadBelow })) {
      seqs.push(...chunk.seqs);
      if (!restarted && seqs.length >= 1_000) {
        restarted = true;
        await nats.nodes[0].kill('SIGKILL');
        await nats.nodes[0].start();
      }
    }
    expect(restarted).toBe(true);
    expect(seqs).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
  }, 120_000);
});
