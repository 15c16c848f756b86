import { checkpointTable, leaveRoomForUpdatesMigration } from '@ripple/projections';
import type { ServiceDefinition } from '@ripple/service-host';
import { GATEWAY_VARS } from './gateway.config';
import { CreateGateway1732240000020 } from './migrations/1732240000020-create-gateway';
import { AddTokenVersions1732240000052 } from './migrations/1732240000052-add-token-versions';
import { AddFeedRetention1733050000021 } from './migrations/1733050000021-add-feed-retention';
import { AddChangeTraceparent1733060000022 } from './migrations/1733060000022-add-change-traceparent';
import { DropChangeAudienceFk1733070000023 } from './migrations/1733070000023-drop-change-audience-fk';

export const gatewayDefinition: ServiceDefinition<typeof GATEWAY_VARS> = {
  name: 'gateway',
  schema: 'gateway',
  config: GATEWAY_VARS,
  migrations: [CreateGateway1732240000020, AddTokenVersions1732240000052, AddFeedRetention1733050000021, AddChangeTraceparent1733060000022, DropChangeAudienceFk1733070000023,
    // Room on each page for the change feed's checkpoints (UPDATED_IN_PLACE).
    leaveRoomForUpdatesMigration('LeaveRoomForUpdates1733080000025', 'gateway', ['profiles', 'venues', 'pets', 'connectors'].map((source) => checkpointTable(`change-feed-${source}`))),
  ],
};
