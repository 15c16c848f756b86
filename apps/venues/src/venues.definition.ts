import { int, type ConfigOf } from '@ripple/config';
import { SERVICE_HOST_VARS, type ServiceDefinition } from '@ripple/service-host';
import { CreateVenues1732240000001 } from './migrations/1732240000001-create-venues';
import { AddVenuesEventStore1732240000002 } from './migrations/1732240000002-add-venues-event-store';
import { LeaveRoomForUpdates1733080000024 } from './migrations/1733080000024-leave-room-for-updates';

const config = { ...SERVICE_HOST_VARS, PORT: int({ default: '3002' }) };
export type VenuesConfig = ConfigOf<typeof config>;

export const venuesDefinition: ServiceDefinition<typeof config> = {
  name: 'venues',
  schema: 'venues',
  config,
  publishes: 'venues',
  migrations: [CreateVenues1732240000001, AddVenuesEventStore1732240000002, LeaveRoomForUpdates1733080000024],
};
