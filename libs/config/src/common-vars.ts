import { int, str, url } from './config';

/** Variables every service reads; apps spread these into their own spec. */
export const SERVICE_VARS = {
  DATABASE_URL: url({ devDefault: 'postgres://postgres@127.0.0.1:5432/ripple' }),
  NATS_URL: url({ devDefault: 'nats://127.0.0.1:4222' }),
  RIPPLE_NAMESPACE: str({ default: '', check: (v) => (/^[A-Za-z0-9_-]*$/.test(v) ? undefined : 'may hold only letters, digits, _ and -') }),
  JWT_SECRET: str({ devDefault: 'ripple-development-secret-change-me', check: (v) => (v.length >= 16 ? undefined : 'must be at least 16 characters') }),
  LOG_LEVEL: str({ default: 'info', check: (v) => (['debug', 'info', 'warn', 'error'].includes(v) ? undefined : 'must be debug, info, warn or error') }),
  HOST: str({ default: '127.0.0.1' }),
  BODY_LIMIT: str({ default: '100kb' }),
  DEAD_LETTER_AFTER: int({ default: '5' }),
};
