import type { MigrationInterface, QueryRunner } from 'typeorm';
import { checkpointTable, leaveRoomForUpdates } from '@ripple/projections';

/** The venue directory's tables, whose rows its batches update in place (UPDATED_IN_PLACE), and its checkpoints. */
const TABLES = ['owner_profiles', 'venues', 'galleras', checkpointTable('venue-directory')];

export class LeaveRoomForUpdates1733080000024 implements MigrationInterface {
  name = 'LeaveRoomForUpdates1733080000024';

  async up(qr: QueryRunner): Promise<void> {
    await leaveRoomForUpdates(qr, 'venues', TABLES);
  }

  async down(qr: QueryRunner): Promise<void> {
    await leaveRoomForUpdates(qr, 'venues', TABLES, true);
  }
}
