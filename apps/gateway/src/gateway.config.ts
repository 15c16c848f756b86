import { int, SERVICE_VARS, str, url, type ConfigOf } from '@ripple/config';
import { parseByteSize } from './proxy/body-limit';

export const GATEWAY_VARS = {
  PORT: int({ default: '3000' }),
  HOST: SERVICE_VARS.HOST,
  LOG_LEVEL: SERVICE_VARS.LOG_LEVEL,
  BODY_LIMIT: str({ default: '100kb', check: (v) => (parseByteSize(v) === undefined ? 'must be a size such as 512b, 100kb or 1mb' : undefined) }),
  // Upstreams come only from here, never from the request, so a client cannot aim the gateway elsewhere.
  PROFILES_URL: url({ devDefault: 'http://127.0.0.1:3001' }),
  VENUES_URL: url({ devDefault: 'http://127.0.0.1:3002' }),
  SHUTDOWN_GRACE_MS: int({ default: '10000' }),
};
export type GatewayConfig = ConfigOf<typeof GATEWAY_VARS>;
