import { int, SERVICE_VARS, type ConfigOf } from '@ripple/config';

/** What every event-sourced service reads, besides its own variables. */
export const SERVICE_HOST_VARS = {
  ...SERVICE_VARS,
  RETRY_BACKOFF_MS: int({ default: '500' }),
  RETRY_BACKOFF_MAX_MS: int({ default: '30000' }),
  PROJECTION_BATCH_SIZE: int({ default: '500' }),
};
export type ServiceHostConfig = ConfigOf<typeof SERVICE_HOST_VARS>;
