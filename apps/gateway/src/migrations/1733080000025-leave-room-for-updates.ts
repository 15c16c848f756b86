import type { MigrationInterface, QueryRunner } from 'typeorm';
import { checkpointTable, leaveRoomForUpdates } from '@ripple/projections';

/** The change feed's checkpoints, updated in place with every batch (UPDATED_IN_PLACE). */
const TABLES = ['profiles', 'venues', 'pets', 'connectors'].map((source) => checkpointTable(`change-feed-${source}`));

export class LeaveRoomForUpdates1733080000025 implements MigrationInterface {
  name = 'LeaveRoomForUpdates1733080000025';

  async up(qr: QueryRunner): Promise<void> {
    await leaveRoomForUpdates(qr, 'gateway', TABLES);
  }

  async down(qr: QueryRunner): Promise<void> {
    await leaveRoomForUpdates(qr, 'gateway', TABLES, true);
  }
}
