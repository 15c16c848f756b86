import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createCheckpointTable, createDeadLetterTable } from '@ripple/projections';

const business = (table: string, extra = '') => `
  CREATE TABLE venues.${table} (
    id              uuid PRIMARY KEY,
    owner_id        uuid NOT NULL UNIQUE,
    name            text NOT NULL,
    location        text NOT NULL,
    description     text NOT NULL DEFAULT '',
    contact_info    jsonb NOT NULL DEFAULT '{}',
    ${extra}
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    last_event_id   uuid NOT NULL,
    last_event_type text NOT NULL,
    version         integer NOT NULL
  )`;

export class CreateVenues1732240000001 implements MigrationInterface {
  name = 'CreateVenues1732240000001';

  async up(qr: QueryRunner): Promise<void> {
    await createDeadLetterTable(qr, 'venues');
    await createCheckpointTable(qr, 'venues', 'venue-directory');
    await qr.query(`
      CREATE TABLE venues.owner_profiles (
        user_id      uuid PRIMARY KEY,
        username     text NOT NULL,
        role         text NOT NULL,
        profile_info jsonb NOT NULL
      )`);
    await qr.query(business('venues'));
    await qr.query(business('galleras', 'specialties text, active_roosters integer,'));
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of ['galleras', 'venues', 'owner_profiles', 'venue_directory__checkpoints', 'dead_letters']) await qr.query(`DROP TABLE venues.${t}`);
  }
}
