import { byteSizeCheck } from './byte-size';
import { int, str, url } from './config';

/** Variables every service reads; apps spread these into their own spec. */
export const SERVICE_VARS = {
  DATABASE_URL: url({ devDefault: 'postgres://postgres@127.0.0.1:5432/ripple' }),
  NATS_URL: url({ devDefault: 'nats://127.0.0.1:4222' }),
  RIPPLE_NAMESPACE: str({ default: '', check: (v) => (/^[A-Za-z0-9_-]*$/.test(v) ? undefined : 'may hold only letters, digits, _ and -') }),
  JWT_SECRET: str({ devDefault: 'ripple-development-secret-change-me', check: (v) => (v.length >= 16 ? undefined : 'must be at least 16 characters') }),
  LOG_LEVEL: str({ default: 'info', check: (v) => (['debug', 'info', 'warn', 'error'].includes(v) ? undefined : 'must be debug, info, warn or error') }),
  HOST: str({ default: '127.0.0.1' }),
  BODY_LIMIT: str({ default: '100kb', check: byteSizeCheck }),
  DEAD_LETTER_AFTER: int({ default: '5' }),
  /** OTLP/HTTP collector root (`/v1/traces` is appended); empty: tracing off, no SDK loaded. */
  OTEL_EXPORTER_OTLP_ENDPOINT: str({ default: '', check: (v) => (v === '' || /^https?:\/\/[^/\s]+/.test(v) ? undefined : 'must be an http(s) URL such as http://otel-collector:4318') }),
  /** The `service.name` of this app's spans; empty: the app's name. */
  OTEL_SERVICE_NAME: str({ default: '' }),
  /** How long finished spans wait to be exported in one batch. */
  OTEL_BSP_SCHEDULE_DELAY: int({ default: '5000', check: (v) => (Number(v) > 0 ? undefined : 'must be greater than 0') }),
};
