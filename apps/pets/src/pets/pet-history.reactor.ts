import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { PetsEvent } from '@ripple/contracts';
import { reactor, type ReactorContext } from '@ripple/service-host';
import { isPetsEvent } from '../records/record-kinds';
import { logEntriesOf } from '../sync/sync-log';
import { measurementOf } from './measurement-when-weight-set';

/** Pets → each pet's measurements and the sync log, on one durable consumer. */
export const PetHistory = reactor({ name: 'pet-history', source: 'pets', tables: ['pet_measurements', 'sync_log'] });

/**
 * A pet's history, event by event. Rows take their ids and times from the
 * events, so a replay writes the same rows, and a redelivered event writes none.
 */
@Controller()
export class PetHistoryReactor {
  /** Every weight a pet is given (registered, edited, or synced from a health record) is one measurement. */
  @PetHistory.on('PetRegistered', 'PetUpdated', 'PetSynced')
  async recordMeasurement(@Payload() e: PetsEvent, @Ctx() ctx: ReactorContext): Promise<void> {
    const m = measurementOf(e);
    if (!m) return;
    await ctx.tx.query(
      `INSERT INTO ${ctx.table('pet_measurements')} (id, pet_id, weight_kg, source_event_type, recorded_by, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
      [m.id, m.petId, m.weightKg, m.sourceEventType, m.recordedBy, m.recordedAt],
    );
  }

  /** Every field a copy changed (or a last-writer-wins edit overwrote): one sync log entry. */
  @PetHistory.on()
  async logSync(@Payload() e: PetsEvent, @Ctx() ctx: ReactorContext): Promise<void> {
    const entries = isPetsEvent(e) ? logEntriesOf(e) : [];
    if (!entries.length) return;
    await ctx.tx.query(
      `INSERT INTO ${ctx.table('sync_log')} (event_id, field, table_name, record_id, old_value, new_value, rule, status, user_id, cause_event_id, correlation_id, occurred_at)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x("eventId" uuid, field text, "tableName" text, "recordId" uuid, "oldValue" jsonb, "newValue" jsonb,
         rule text, status text, "userId" uuid, "causeEventId" text, "correlationId" text, "occurredAt" timestamptz)
       ON CONFLICT (event_id, field) DO NOTHING`,
      [JSON.stringify(entries)],
    );
  }
}
