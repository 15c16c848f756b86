import { checkpointTable, leaveRoomForUpdatesMigration } from '@ripple/projections';
import { int, type ConfigOf } from '@ripple/config';
import { SERVICE_HOST_VARS, type ServiceDefinition } from '@ripple/service-host';
import { CreateVenues1732240000001 } from './migrations/1732240000001-create-venues';
import { AddVenuesEventStore1732240000002 } from './migrations/1732240000002-add-venues-event-store';

const config = { ...SERVICE_HOST_VARS, PORT: int({ default: '3002' }) };
export type VenuesConfig = ConfigOf<typeof config>;

export const venuesDefinition: ServiceDefinition<typeof config> = {
  name: 'venues',
  schema: 'venues',
  config,
  publishes: 'venues',
  migrations: [CreateVenues1732240000001, AddVenuesEventStore1732240000002,
    // Room on each page for the venue directory's tables, whose rows its batches update in place, and its checkpoints (UPDATED_IN_PLACE).
    leaveRoomForUpdatesMigration('LeaveRoomForUpdates1733080000024', 'venues', ['owner_profiles', 'venues', 'galleras', checkpointTable('venue-directory')]),
  ],
};
