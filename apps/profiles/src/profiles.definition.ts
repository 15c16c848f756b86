import { checkpointTable, leaveRoomForUpdatesMigration } from '@ripple/projections';
import { int, str, type ConfigOf } from '@ripple/config';
import { SERVICE_HOST_VARS, type ServiceDefinition } from '@ripple/service-host';
import { CreateProfiles1732240000000 } from './migrations/1732240000000-create-profiles';
import { CreateIdempotencyKeys1732240000011 } from './migrations/1732240000011-create-idempotency-keys';
import { AddTokenVersions1732240000050 } from './migrations/1732240000050-add-token-versions';
import { CreatePetRelations1732240000051 } from './migrations/1732240000051-create-pet-relations';
import { MakeUsersRebuildable1732240000061 } from './migrations/1732240000061-make-users-rebuildable';
import { usersReadModel } from './users/users.read-model';

const positive = (v: string) => (Number(v) > 0 ? undefined : 'must be greater than 0');

const config = {
  ...SERVICE_HOST_VARS,
  PORT: int({ default: '3001' }),
  JWT_TTL_SECONDS: int({ default: '3600' }),
  /** Failed logins allowed per account, and per client address, within the window; then 429 until it ends. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: int({ default: '5', check: positive }),
  LOGIN_MAX_FAILURES_PER_ADDRESS: int({ default: '20', check: positive }),
  LOGIN_THROTTLE_WINDOW_SECONDS: int({ default: '900', check: positive }),
  /** The first admin, created at boot when missing; other admins are registered by an admin. */
  ADMIN_USERNAME: str({ default: 'admin' }),
  ADMIN_EMAIL: str({ default: 'admin@ripple.local' }),
  ADMIN_PASSWORD: str({ devDefault: 'ripple-admin-dev-password', check: (v) => (v.length >= 8 ? undefined : 'must be at least 8 characters') }),
};
export type ProfilesConfig = ConfigOf<typeof config>;

export const profilesDefinition: ServiceDefinition<typeof config> = {
  name: 'profiles',
  schema: 'profiles',
  config,
  publishes: 'profiles',
  migrations: [CreateProfiles1732240000000, CreateIdempotencyKeys1732240000011, AddTokenVersions1732240000050, CreatePetRelations1732240000051, MakeUsersRebuildable1732240000061,
    // Room on each page for the pet relations' checkpoints (UPDATED_IN_PLACE).
    leaveRoomForUpdatesMigration('LeaveRoomForUpdates1733080000027', 'profiles', [checkpointTable('pet-relations')]),
  ],
  readModels: [usersReadModel],
};
