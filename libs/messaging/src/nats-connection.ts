import { connect, type NodeConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { shareCancelledRequestError } from './request-cancel';

export interface Broker {
  /** How it connected: another connection to the same broker (a worker thread's) connects the same way. */
  connectOptions: NodeConnectionOptions;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** e.g. "2.9.10": lets callers gate newer JetStream features. */
  serverVersion: string;
}

/** Connects with unlimited reconnects: a broker restart pauses work, it never ends the process. */
export async function connectBroker(url: string, name: string): Promise<Broker> {
  shareCancelledRequestError();
  const connectOptions = brokerConnectOptions(url, name);
  const nc = await connect(connectOptions);
  const jsm = await jetstreamManager(nc);
  return { connectOptions, nc, js: jetstream(nc), jsm, serverVersion: nc.info?.version ?? 'unknown' };
}

/** A connection's options: plain data, so a worker thread can be given them. */
function brokerConnectOptions(url: string, name: string): NodeConnectionOptions {
  const u = new URL(url);
  return {
    servers: `${u.hostname}:${u.port || 4222}`,
    name,
    user: u.username || undefined,
    pass: u.password || undefined,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // Otherwise every request (each JetStream publish) captures a stack trace up front, in case it fails.
    noAsyncTraces: true,
  };
}

export async function pingBroker(broker: Broker): Promise<void> {
  if (broker.nc.isClosed()) throw new Error('NATS connection closed');
  await broker.nc.flush();
}
