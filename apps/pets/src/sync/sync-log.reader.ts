import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeadLetterStore, type DeadLetter } from '@ripple/projections';

export type LogStatus = 'synced' | 'forced' | 'overwritten' | 'failed';

const entry = (r: Record<string, any>) => ({
  eventId: r.event_id, table: r.table_name, recordId: r.record_id, field: r.field, oldValue: r.old_value, newValue: r.new_value,
  rule: r.rule, status: r.status, userId: r.user_id, causeEventId: r.cause_event_id, correlationId: r.correlation_id,
  occurredAt: new Date(r.occurred_at).toISOString(),
});

/** A dead letter of a propagation, shown as a failed sync log entry. */
export const failedEntry = (d: DeadLetter) => {
  const env = (d.envelope ?? {}) as { actor?: string; aggregateType?: string; aggregateId?: string };
  return {
    id: d.id, projection: d.projection, eventId: d.eventId, eventType: d.eventType, recordType: env.aggregateType ?? null, recordId: d.aggregateId,
    status: 'failed' as const, error: d.error, attempts: d.attempts, blockedBy: d.blockedBy, userId: env.aggregateType === 'user' ? env.aggregateId : (env.actor ?? null),
    correlationId: d.correlationId, createdAt: d.createdAt, updatedAt: d.updatedAt,
  };
};

@Injectable()
export class SyncLogReader {
  constructor(private readonly dataSource: DataSource, private readonly deadLetters: DeadLetterStore) {}

  async list(filter: { userId?: string; status?: LogStatus; limit: number }) {
    if (filter.status === 'failed') return this.failed(filter.userId, filter.limit);
    const rows = await this.dataSource.query(
      `SELECT * FROM pets.sync_log WHERE ($1::uuid IS NULL OR user_id = $1) AND ($2::text IS NULL OR status = $2)
       ORDER BY occurred_at DESC, event_id DESC, field LIMIT $3`,
      [filter.userId ?? null, filter.status ?? null, filter.limit],
    );
    return rows.map(entry);
  }

  async failed(userId: string | undefined, limit: number) {
    const letters = (await this.deadLetters.list({ status: 'open', limit: 1000 })).map(failedEntry);
    return letters.filter((l) => !userId || l.userId === userId).slice(0, limit);
  }
}
