import type { EntityManager } from 'typeorm';
import type { DomainEvent } from '@ripple/contracts';
import type { Projection, TableMap } from '@ripple/projections';
import { isPetsEvent } from '../records/record-kinds';
import { logEntriesOf } from '../sync/sync-log';
import { measurementOf } from './measurement-when-weight-set';

/**
 * Pets → a pet's measurements (one row per weight it is given) and the sync log. Rows take
 * their ids and times from the events, so a replay writes the same rows.
 */
export const petHistoryProjection: Projection = {
  name: 'pet-history',
  source: 'pets',
  tables: ['pet_measurements', 'sync_log'],
  async apply(tx: EntityManager, events: DomainEvent[], t: TableMap): Promise<void> {
    const pets = events.filter(isPetsEvent);
    const measurements = pets.flatMap((e) => measurementOf(e) ?? []);
    const entries = pets.flatMap(logEntriesOf);
    if (measurements.length) {
      await tx.query(
        `INSERT INTO ${t('pet_measurements')} (id, pet_id, weight_kg, source_event_type, recorded_by, recorded_at)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, "petId" uuid, "weightKg" float8, "sourceEventType" text, "recordedBy" text, "recordedAt" timestamptz)
         ON CONFLICT (id) DO NOTHING`,
        [JSON.stringify(measurements)],
      );
    }
    if (entries.length) {
      await tx.query(
        `INSERT INTO ${t('sync_log')} (event_id, field, table_name, record_id, old_value, new_value, rule, status, user_id, cause_event_id, correlation_id, occurred_at)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x("eventId" uuid, field text, "tableName" text, "recordId" uuid, "oldValue" jsonb, "newValue" jsonb,
           rule text, status text, "userId" uuid, "causeEventId" text, "correlationId" text, "occurredAt" timestamptz)
         ON CONFLICT (event_id, field) DO NOTHING`,
        [JSON.stringify(entries)],
      );
    }
  },
};
