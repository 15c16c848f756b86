import type { PetsEvent } from '@ripple/contracts';
import { logEntriesOf } from './sync-log';

const ev = (type: string, data: unknown, aggregateType = 'pet') =>
  ({ id: 'e1', type, data, aggregateType, aggregateId: 'r1', actor: 'u1', correlationId: 'c1', causationId: 'cause', occurredAt: '2026-01-01T00:00:00.000Z' }) as unknown as PetsEvent;

describe('sync log', () => {
  it('records each derived field with old → new, its rule, cause and user', () => {
    const synced = ev('HealthRecordSynced', { rule: 'weight-from-pet', changes: { weightKg: 13 }, previous: { weightKg: 12 }, userId: 'owner', sourceEventId: null, forced: false }, 'health-record');
    expect(logEntriesOf(synced)).toEqual([{
      eventId: 'e1', field: 'weightKg', tableName: 'health_records', recordId: 'r1', oldValue: 12, newValue: 13, rule: 'weight-from-pet',
      status: 'synced', userId: 'owner', causeEventId: 'cause', correlationId: 'c1', occurredAt: '2026-01-01T00:00:00.000Z',
    }]);
  });

  it('marks forced syncs, keeps what an unconditional pet edit overwrote, ignores conditional edits', () => {
    expect(logEntriesOf(ev('PetSynced', { rule: 'contact-from-profile', changes: { emergencyContactPhone: '9' }, previous: { emergencyContactPhone: '2' }, userId: 'u', sourceEventId: null, forced: true }))[0].status).toBe('forced');
    expect(logEntriesOf(ev('PetUpdated', { changes: { weightKg: 31 }, previous: { weightKg: 30 }, unconditional: true }))[0]).toMatchObject({ status: 'overwritten', oldValue: 30, newValue: 31, rule: 'last-writer-wins', userId: 'u1' });
    expect(logEntriesOf(ev('PetUpdated', { changes: { weightKg: 31 }, previous: { weightKg: 30 }, unconditional: false }))).toEqual([]);
  });
});
