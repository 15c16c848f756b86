import { checkpointTable, leaveRoomForUpdatesMigration } from '@ripple/projections';
import { int, type ConfigOf } from '@ripple/config';
import { SERVICE_HOST_VARS, type ServiceDefinition } from '@ripple/service-host';
import { CreatePets1732240000003 } from './migrations/1732240000003-create-pets';
import { TrackEditTimes1732240000021 } from './migrations/1732240000021-track-edit-times';
import { PETS_SCHEMA } from './records/record-kind';

const config = {
  ...SERVICE_HOST_VARS,
  PORT: int({ default: '3003' }),
  // A failed operation of a batch or full sync job: retries, and the first wait (doubling each time).
  PETS_SYNC_RETRIES: int({ default: '3' }),
  PETS_SYNC_RETRY_BACKOFF_MS: int({ default: '1000' }),
};
export type PetsConfig = ConfigOf<typeof config>;

export const petsDefinition: ServiceDefinition<typeof config> = {
  name: 'pets',
  schema: PETS_SCHEMA,
  config,
  publishes: 'pets',
  migrations: [CreatePets1732240000003, TrackEditTimes1732240000021,
    // Room on each page for the checkpoints of pets' projections (UPDATED_IN_PLACE).
    leaveRoomForUpdatesMigration('LeaveRoomForUpdates1733080000026', PETS_SCHEMA, ['contact-sync', 'pet-sync', 'pet-history'].map(checkpointTable)),
  ],
};
