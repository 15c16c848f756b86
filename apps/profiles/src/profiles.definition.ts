import { int, type ConfigOf } from '@ripple/config';
import { SERVICE_HOST_VARS, type ServiceDefinition } from '@ripple/service-host';
import { CreateProfiles1732240000000 } from './migrations/1732240000000-create-profiles';

const config = {
  ...SERVICE_HOST_VARS,
  PORT: int({ default: '3001' }),
  JWT_TTL_SECONDS: int({ default: '3600' }),
};
export type ProfilesConfig = ConfigOf<typeof config>;

export const profilesDefinition: ServiceDefinition<typeof config> = {
  name: 'profiles',
  schema: 'profiles',
  config,
  publishes: 'profiles',
  migrations: [CreateProfiles1732240000000],
};
