import { int, str, url, type ConfigOf } from '@ripple/config';
import { SERVICE_HOST_VARS } from '@ripple/service-host';

const origins = (v: string) => (v.split(',').every((o) => /^https?:\/\/[^/\s]+$/.test(o.trim())) ? undefined : 'must be a comma-separated list of origins such as https://app.example');
const positive = (v: string) => (Number(v) > 0 ? undefined : 'must be greater than 0');
const atLeastZero = (v: string) => (Number(v) >= 0 ? undefined : 'must be 0 or more');

export const GATEWAY_VARS = {
  ...SERVICE_HOST_VARS,
  PORT: int({ default: '3000' }),
  // Upstreams come only from here, never from the request, so a client cannot aim the gateway elsewhere.
  PROFILES_URL: url({ devDefault: 'http://127.0.0.1:3001' }),
  VENUES_URL: url({ devDefault: 'http://127.0.0.1:3002' }),
  PETS_URL: url({ devDefault: 'http://127.0.0.1:3003' }),
  CONNECTORS_URL: url({ devDefault: 'http://127.0.0.1:3004' }),
  /** The built console (index.html and assets/) served at `/`; empty: apps/console/dist. */
  CONSOLE_DIR: str({ default: '' }),
  SHUTDOWN_GRACE_MS: int({ default: '10000' }),
  SYNC_HEARTBEAT_MS: int({ default: '30000', check: positive }),
  SYNC_TICKET_TTL_SECONDS: int({ default: '30', check: positive }),
  SYNC_MAX_CONNECTIONS_PER_USER: int({ default: '5', check: positive }),
  /** Bytes a connection may have queued unsent before it counts as a slow consumer and is cut. */
  SYNC_SEND_QUEUE_BYTES: int({ default: '1048576', check: positive }),
  /** How long a full send queue may take to drain before the connection is cut (with its resume cursor). */
  SYNC_SLOW_CONSUMER_MS: int({ default: '10000', check: positive }),
  /** A change whose data is larger is sent without it (`truncated: true`): the client fetches the record. */
  SYNC_MAX_DATA_BYTES: int({ default: '65536', check: positive }),
  SYNC_WS_MAX_INBOUND_BYTES: int({ default: '4096', check: positive }),
  SYNC_ALLOWED_ORIGINS: str({ default: 'http://localhost:3000,http://127.0.0.1:3000', check: origins }),
  /** Fallback re-read for notifications lost while the listener reconnects. */
  SYNC_POLL_MS: int({ default: '5000', check: positive }),
  SYNC_BATCH_SIZE: int({ default: '200', check: positive }),
  /** The change feed's window: changes older than this many seconds, or more than this many positions below the head, are pruned (0: no limit). */
  SYNC_FEED_MAX_AGE_S: int({ default: '604800', check: atLeastZero }),
  SYNC_FEED_MAX_CHANGES: int({ default: '1000000', check: atLeastZero }),
  SYNC_FEED_PRUNE_MS: int({ default: '60000', check: positive }),
};
export type GatewayConfig = ConfigOf<typeof GATEWAY_VARS>;
