import { int, str, url, type ConfigOf } from '@ripple/config';
import { SERVICE_HOST_VARS, type ServiceDefinition } from '@ripple/service-host';
import { parseCron } from './framework/triggers/cron';
import { CreateConnectors1732240000030 } from './migrations/1732240000030-create-connectors';
import { CreateAdServer1732240000040 } from './migrations/1732240000040-create-adserver';
import { AddCatalogThirdVersion1732240000050 } from './migrations/1732240000050-add-catalog-third-version';
import { AddRunModes1732240000060 } from './migrations/1732240000060-add-run-modes';

const positive = (v: string) => (Number(v) > 0 ? undefined : 'must be greater than 0');
const cron = (v: string) => {
  if (!v) return undefined;
  try {
    parseCron(v);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
};

const config = {
  ...SERVICE_HOST_VARS,
  PORT: int({ default: '3004' }),
  /** Upstream base URLs come from here only, never from a request. */
  NOWREPBLUE_BASE_URL: url({ devDefault: 'http://127.0.0.1:3105/v1' }),
  NOWREPBLUE_API_KEY: str({ devDefault: 'nowrepblue-dev-key' }),
  NOWREPBLUE_TIMEOUT_MS: int({ default: '10000', check: positive }),
  NOWREPBLUE_RETRY_ATTEMPTS: int({ default: '3', check: positive }),
  NOWREPBLUE_RETRY_MIN_MS: int({ default: '1000', check: positive }),
  NOWREPBLUE_RETRY_MAX_MS: int({ default: '10000', check: positive }),
  NOWREPBLUE_MAX_RETRY_AFTER_MS: int({ default: '60000', check: positive }),
  NOWREPBLUE_RATE_LIMIT_PER_S: int({ default: '50', check: positive }),
  NOWREPBLUE_PAGE_SIZE: int({ default: '1000', check: positive }),
  /** Five-field cron (UTC) for scheduled imports; empty: no schedule. */
  NOWREPBLUE_SYNC_CRON: str({ default: '', check: cron }),
  /** Broadstreet's REST API v0 root; the real service is https://api.broadstreetads.com/api/0. */
  BROADSTREET_BASE_URL: url({ devDefault: 'http://127.0.0.1:3106/api/0' }),
  BROADSTREET_ACCESS_TOKEN: str({ devDefault: 'broadstreet-dev-token' }),
  BROADSTREET_TIMEOUT_MS: int({ default: '10000', check: positive }),
  BROADSTREET_RETRY_ATTEMPTS: int({ default: '3', check: positive }),
  BROADSTREET_RETRY_MIN_MS: int({ default: '1000', check: positive }),
  BROADSTREET_RETRY_MAX_MS: int({ default: '10000', check: positive }),
  BROADSTREET_MAX_RETRY_AFTER_MS: int({ default: '60000', check: positive }),
  BROADSTREET_RATE_LIMIT_PER_S: int({ default: '10', check: positive }),
  /** How long one export run may wait in all for Retry-After before entities fail as rate limited. */
  BROADSTREET_RATE_LIMIT_BUDGET_MS: int({ default: '120000', check: positive }),
  SYNC_SECRET_KEY: str({ devDefault: 'ripple-sync-secret-change-me', check: (v) => (v.length >= 16 ? undefined : 'must be at least 16 characters') }),
  SYNC_SIGNATURE_TOLERANCE_S: int({ default: '300', check: positive }),
};
export type ConnectorsConfig = ConfigOf<typeof config>;

export const CONNECTORS_SCHEMA = 'connectors';

export const connectorsDefinition: ServiceDefinition<typeof config> = {
  name: 'connectors',
  schema: CONNECTORS_SCHEMA,
  config,
  publishes: 'connectors',
  migrations: [CreateConnectors1732240000030, CreateAdServer1732240000040, AddCatalogThirdVersion1732240000050, AddRunModes1732240000060],
};
