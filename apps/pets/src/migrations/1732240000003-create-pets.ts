import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createEventStoreTables, dropEventStoreTables } from '@ripple/event-store';
import { createCheckpointTable, createDeadLetterTable } from '@ripple/projections';

const stamps = `version integer NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL`;

const TABLES = [
  `pets (id uuid PRIMARY KEY, owner_id uuid NOT NULL, name text NOT NULL, species text NOT NULL, breed text,
    weight_kg double precision CHECK (weight_kg > 0), emergency_contact_user_id uuid, emergency_contact_name text,
    emergency_contact_phone text, weight_source_event_id uuid, ${stamps})`,
  `veterinarians (id uuid PRIMARY KEY, name text NOT NULL, clinic_name text NOT NULL, phone text, email text, user_id uuid,
    created_by uuid NOT NULL, ${stamps})`,
  `health_records (id uuid PRIMARY KEY, pet_id uuid NOT NULL, vet_id uuid NOT NULL, clinic_name text NOT NULL, vet_phone text,
    weight_kg double precision CHECK (weight_kg > 0), visit_date text NOT NULL, notes text NOT NULL, weight_source_event_id uuid, ${stamps})`,
  `lost_pets (id uuid PRIMARY KEY, pet_id uuid NOT NULL, reporter_id uuid NOT NULL, contact_phone text, last_seen_location text NOT NULL,
    status text NOT NULL CHECK (status IN ('lost', 'found')), ${stamps})`,
  `user_events (id uuid PRIMARY KEY, user_id uuid NOT NULL, vet_id uuid NOT NULL, pet_id uuid, title text NOT NULL, starts_at text NOT NULL,
    veterinarian_name text NOT NULL, vet_phone text, ${stamps})`,
  // The contact-sync projection's own copy of what it needs from profiles.
  `user_contacts (user_id uuid PRIMARY KEY, username text NOT NULL, role text NOT NULL, full_name text, phone text)`,
  // pet-history: one row per recorded weight, and every propagation field by field.
  `pet_measurements (id uuid PRIMARY KEY, pet_id uuid NOT NULL, weight_kg double precision NOT NULL, source_event_type text NOT NULL,
    recorded_by text NOT NULL, recorded_at timestamptz NOT NULL)`,
  `sync_log (event_id uuid NOT NULL, field text NOT NULL, table_name text NOT NULL, record_id uuid NOT NULL, old_value jsonb, new_value jsonb,
    rule text NOT NULL, status text NOT NULL, user_id uuid, cause_event_id text NOT NULL, correlation_id text NOT NULL,
    occurred_at timestamptz NOT NULL, PRIMARY KEY (event_id, field))`,
  // Batch sync jobs survive a restart: progress is a row, not memory.
  `sync_jobs (id uuid PRIMARY KEY, status text NOT NULL, operations jsonb NOT NULL, results jsonb NOT NULL DEFAULT '[]',
    total integer NOT NULL, completed integer NOT NULL DEFAULT 0, failed integer NOT NULL DEFAULT 0, created_by uuid NOT NULL, created_by_role text NOT NULL,
    correlation_id text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`,
];

const INDEXES = [
  'pets (owner_id)', 'pets (emergency_contact_user_id)', 'veterinarians (user_id)', 'veterinarians (created_by)',
  'health_records (pet_id, visit_date DESC, id DESC)', 'health_records (vet_id)', 'lost_pets (reporter_id)', 'lost_pets (pet_id)',
  'user_events (user_id)', 'user_events (vet_id)', 'pet_measurements (pet_id, recorded_at)', 'sync_log (user_id, occurred_at)',
];

export class CreatePets1732240000003 implements MigrationInterface {
  name = 'CreatePets1732240000003';

  async up(qr: QueryRunner): Promise<void> {
    await createEventStoreTables(qr, 'pets');
    await createDeadLetterTable(qr, 'pets');
    for (const p of ['contact-sync', 'pet-sync', 'pet-history']) await createCheckpointTable(qr, 'pets', p);
    for (const t of TABLES) await qr.query(`CREATE TABLE pets.${t}`);
    for (const i of INDEXES) await qr.query(`CREATE INDEX ON pets.${i}`);
  }

  async down(qr: QueryRunner): Promise<void> {
    const tables = TABLES.map((t) => t.split(' ')[0]);
    for (const t of [...tables, 'contact_sync__checkpoints', 'pet_sync__checkpoints', 'pet_history__checkpoints', 'dead_letters']) {
      await qr.query(`DROP TABLE pets.${t}`);
    }
    await dropEventStoreTables(qr, 'pets');
  }
}
