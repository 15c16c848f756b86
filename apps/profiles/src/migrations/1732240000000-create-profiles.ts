import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createEventStoreTables, dropEventStoreTables } from '@ripple/event-store';

export class CreateProfiles1732240000000 implements MigrationInterface {
  name = 'CreateProfiles1732240000000';

  async up(qr: QueryRunner): Promise<void> {
    await createEventStoreTables(qr, 'profiles');
    await qr.query(`
      CREATE TABLE profiles.users (
        id           uuid PRIMARY KEY,
        username     text NOT NULL,
        email        text NOT NULL,
        role         text NOT NULL,
        profile_info jsonb NOT NULL DEFAULT '{}',
        version      integer NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_username_key UNIQUE (username),
        CONSTRAINT users_email_key UNIQUE (email)
      )`);
    await qr.query('CREATE UNIQUE INDEX users_username_lower_idx ON profiles.users (lower(username))');
    // Secrets never enter events, so they live beside the aggregate, not in it.
    await qr.query(`
      CREATE TABLE profiles.credentials (
        user_id       uuid PRIMARY KEY REFERENCES profiles.users (id),
        password_hash text NOT NULL
      )`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE profiles.credentials');
    await qr.query('DROP TABLE profiles.users');
    await dropEventStoreTables(qr, 'profiles');
  }
}
