import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createEventStoreTables, dropEventStoreTables } from '@ripple/event-store';

/** Venues publishes VenueSynced / GalleraSynced, so followers (the gateway) see business records change. */
export class AddVenuesEventStore1732240000002 implements MigrationInterface {
  name = 'AddVenuesEventStore1732240000002';

  async up(qr: QueryRunner): Promise<void> {
    await createEventStoreTables(qr, 'venues');
  }

  async down(qr: QueryRunner): Promise<void> {
    await dropEventStoreTables(qr, 'venues');
  }
}
