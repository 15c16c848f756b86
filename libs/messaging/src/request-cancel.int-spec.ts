import { NoRespondersError, RequestError, TimeoutError } from '@nats-io/nats-core';
import { RequestOne } from '@nats-io/nats-core/internal';
import { testNatsUrl } from '@ripple/testing';
import { connectBroker, type Broker } from './nats-connection';

/** Requests once connectBroker has shared the "cancelled" error: each outcome as nats-core gives it, without a new error per request. */
let broker: Broker;

beforeAll(async () => {
  broker = await connectBroker(await testNatsUrl(), 'request-cancel-itest');
});

afterAll(async () => {
  await broker.nc.drain();
});

/** The error a RequestOne's promise is rejected with when it is cancelled without one. */
const cancelledWith = async (): Promise<unknown> => {
  const r = new RequestOne({ cancel: () => undefined } as never, 'itest.cancel', { timeout: 60_000 }, false);
  r.cancel();
  return r.deferred.then(() => undefined, (e: unknown) => e);
};

it('rejects a request cancelled without an error with one shared RequestError("cancelled")', async () => {
  const first = await cancelledWith();
  expect(first).toBeInstanceOf(RequestError);
  expect((first as Error).message).toBe('cancelled');
  expect(await cancelledWith()).toBe(first);
});

it('keeps the error a cancel is given', async () => {
  const r = new RequestOne({ cancel: () => undefined } as never, 'itest.cancel', { timeout: 60_000 }, false);
  const given = new Error('send failed');
  r.cancel(given);
  await expect(r.deferred).rejects.toBe(given);
});

it('answers, times out and finds no responders as before', async () => {
  const sub = broker.nc.subscribe('itest.request-cancel.echo', { callback: (_err, m) => m.respond(m.data) });
  const silent = broker.nc.subscribe('itest.request-cancel.silent', { callback: () => undefined });
  await broker.nc.flush();
  expect((await broker.nc.request('itest.request-cancel.echo', 'hi', { timeout: 5000 })).string()).toBe('hi');
  await expect(broker.nc.request('itest.request-cancel.silent', 'hi', { timeout: 50 })).rejects.toBeInstanceOf(TimeoutError);
  const none = await broker.nc.request('itest.request-cancel.nobody', 'hi', { timeout: 5000 }).catch((e: unknown) => e);
  expect(none).toBeInstanceOf(RequestError);
  expect((none as RequestError).cause).toBeInstanceOf(NoRespondersError);
  sub.unsubscribe();
  silent.unsubscribe();
});
