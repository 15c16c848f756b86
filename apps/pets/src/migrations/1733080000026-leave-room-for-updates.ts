import type { MigrationInterface, QueryRunner } from 'typeorm';
import { checkpointTable, leaveRoomForUpdates } from '@ripple/projections';

/** The checkpoints of pets' projections, updated in place with every batch (UPDATED_IN_PLACE). */
const TABLES = ['contact-sync', 'pet-sync', 'pet-history'].map(checkpointTable);

export class LeaveRoomForUpdates1733080000026 implements MigrationInterface {
  name = 'LeaveRoomForUpdates1733080000026';

  async up(qr: QueryRunner): Promise<void> {
    await leaveRoomForUpdates(qr, 'pets', TABLES);
  }

  async down(qr: QueryRunner): Promise<void> {
    await leaveRoomForUpdates(qr, 'pets', TABLES, true);
  }
}
