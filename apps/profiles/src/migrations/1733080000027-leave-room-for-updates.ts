import type { MigrationInterface, QueryRunner } from 'typeorm';
import { checkpointTable, leaveRoomForUpdates } from '@ripple/projections';

/** The pet relations' checkpoints, updated in place with every batch (UPDATED_IN_PLACE). */
const TABLES = [checkpointTable('pet-relations')];

export class LeaveRoomForUpdates1733080000027 implements MigrationInterface {
  name = 'LeaveRoomForUpdates1733080000027';

  async up(qr: QueryRunner): Promise<void> {
    await leaveRoomForUpdates(qr, 'profiles', TABLES);
  }

  async down(qr: QueryRunner): Promise<void> {
    await leaveRoomForUpdates(qr, 'profiles', TABLES, true);
  }
}
