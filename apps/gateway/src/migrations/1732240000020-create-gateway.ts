import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createCheckpointTable, createDeadLetterTable } from '@ripple/projections';

// Every context's checkpoints up front, so following another stream needs no migration.
const SOURCES = ['profiles', 'venues', 'pets', 'connectors'];
const checkpoints = (source: string) => `change-feed-${source}`;

export class CreateGateway1732240000020 implements MigrationInterface {
  name = 'CreateGateway1732240000020';

  async up(qr: QueryRunner): Promise<void> {
    await createDeadLetterTable(qr, 'gateway');
    for (const source of SOURCES) await createCheckpointTable(qr, 'gateway', checkpoints(source));
    // A cursor names its feed's incarnation: one from a rebuilt feed gets a reset, never a silent gap.
    await qr.query('CREATE TABLE gateway.feed_meta (epoch uuid NOT NULL)');
    await qr.query('INSERT INTO gateway.feed_meta (epoch) VALUES (gen_random_uuid())');
    await qr.query(`
      CREATE TABLE gateway.changes (
        position          bigserial PRIMARY KEY,
        event_id          uuid NOT NULL UNIQUE,
        change_type       text NOT NULL,
        table_name        text NOT NULL,
        aggregate_id      text NOT NULL,
        aggregate_version integer NOT NULL,
        event_type        text NOT NULL,
        operation         text NOT NULL,
        data              jsonb NOT NULL,
        occurred_at       timestamptz NOT NULL,
        recorded_at       timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await qr.query(`
      CREATE TABLE gateway.change_audience (
        user_id  uuid NOT NULL,
        position bigint NOT NULL REFERENCES gateway.changes (position) ON DELETE CASCADE,
        PRIMARY KEY (user_id, position)
      )`);
    // The references each record holds (owner, pet, vet, ...): who may see its changes follows from them.
    await qr.query(`
      CREATE TABLE gateway.scopes (
        aggregate_type text NOT NULL,
        aggregate_id   text NOT NULL,
        refs           jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (aggregate_type, aggregate_id)
      )`);
    await qr.query(`CREATE INDEX scopes_pet_idx ON gateway.scopes ((refs->>'petId')) WHERE refs ? 'petId'`);
    await qr.query('CREATE TABLE gateway.user_roles (user_id uuid PRIMARY KEY, role text NOT NULL)');
    await qr.query(`
      CREATE TABLE gateway.tickets (
        ticket_hash text PRIMARY KEY,
        user_id     uuid NOT NULL,
        role        text NOT NULL,
        username    text NOT NULL,
        token_exp   bigint NOT NULL,
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz
      )`);
  }

  async down(qr: QueryRunner): Promise<void> {
    const tables = ['tickets', 'user_roles', 'scopes', 'change_audience', 'changes', 'feed_meta', 'dead_letters'];
    for (const t of tables) await qr.query(`DROP TABLE gateway.${t}`);
    for (const source of SOURCES) await qr.query(`DROP TABLE gateway.change_feed_${source}__checkpoints`);
  }
}
