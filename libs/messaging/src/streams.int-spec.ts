import { streamName } from '@ripple/contracts';
import { deleteNamespaceStreams, testNamespace, testNatsUrl } from '@ripple/testing';
import { connectBroker, type Broker } from './nats-connection';
import { ensureStream, isNoStream, isNotFound } from './streams';

/** Streams declared as code, against a real nats-server: created when missing, brought up to date when their settings change. */
let broker: Broker;
const namespace = testNamespace();

beforeAll(async () => {
  broker = await connectBroker(await testNatsUrl(), 'streams-itest');
});

afterAll(async () => {
  await deleteNamespaceStreams(broker.jsm, namespace);
  await broker.nc.drain();
});

it('creates a missing stream, and again after it was deleted', async () => {
  const name = streamName(namespace, 'profiles');
  const created = await ensureStream(broker, namespace, 'profiles');
  expect(created.config).toMatchObject({ name, subjects: [`${namespace}.profiles.>`], num_replicas: 1, max_age: 0, max_bytes: -1, max_msgs: -1 });
  await broker.jsm.streams.delete(name);
  const err = await broker.js.publish(`${namespace}.profiles.user.1.UserProfileUpdated`, '{}').catch((e: unknown) => e);
  expect(isNoStream(err)).toBe(true);
  expect(isNotFound(await broker.jsm.streams.info(name).catch((e: unknown) => e))).toBe(true);
  const again = await ensureStream(broker, namespace, 'profiles');
  expect(again.created).not.toBe(created.created);
});

it('applies changed limits to an existing stream and keeps its messages', async () => {
  const name = streamName(namespace, 'venues');
  await ensureStream(broker, namespace, 'venues');
  await broker.js.publish(`${namespace}.venues.venue.1.VenueSynced`, '{}');
  const limited = await ensureStream(broker, namespace, 'venues', { replicas: 1, maxAgeMs: 3_600_000, maxBytes: 1_000_000, maxMsgs: 1000 });
  expect(limited.config).toMatchObject({ max_age: 3_600_000_000_000, max_bytes: 1_000_000, max_msgs: 1000 });
  expect(limited.state.messages).toBe(1);
  expect((await broker.jsm.streams.info(name)).config.max_msgs).toBe(1000);
});
