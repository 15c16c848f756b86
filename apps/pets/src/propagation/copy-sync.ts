import type { EntityManager } from 'typeorm';
import type { CausationContext, EventEnvelope } from '@ripple/contracts';
import { syncRecord, type RecordState } from '../records/record';
import type { RecordStore } from '../records/record.store';
import { contactCopies } from './contact-copies';
import { lastWriterWins, type SyncPlan } from './sync-plan';
import { contactOf, type UserContact } from './user-contact';
import { vetCopies } from './vet-copies';
import { weightSync } from './weight-sync';

export type CauseOf = (key: string) => CausationContext;

/**
 * Re-derives copies from current truth: loads (and locks) every copy that
 * depends on the given users, vets or pets, asks the pure rules what each should
 * hold, and appends a `…Synced` event per copy that differs, writing the rows
 * with one statement per table. Used by the reactors (once per batch, so a burst
 * of changes costs one write per copy) and by force/batch sync.
 */
export class CopySync {
  constructor(private readonly records: RecordStore) {}

  async forUsers(tx: EntityManager, userIds: string[], causeOf: CauseOf, forced: boolean): Promise<EventEnvelope[]> {
    if (!userIds.length) return [];
    const rows = await tx.query('SELECT * FROM pets.user_contacts WHERE user_id = ANY($1::uuid[])', [userIds]);
    const contacts: UserContact[] = rows.map(contactOf);
    const ids = [userIds];
    const vets = await this.records.load(tx, 'veterinarian', 'user_id = ANY($1::uuid[])', ids, true);
    const pets = await this.records.load(tx, 'pet', 'emergency_contact_user_id = ANY($1::uuid[])', ids, true);
    const lost = await this.records.load(tx, 'lost-pet', 'reporter_id = ANY($1::uuid[])', ids, true);
    const plans = contacts.flatMap((c) => contactCopies(c, [...vets, ...pets, ...lost]));
    return this.apply(tx, plans, (p) => causeOf(p.meta.userId!), forced);
  }

  async forVets(tx: EntityManager, vetIds: string[], causeOf: CauseOf, forced: boolean): Promise<EventEnvelope[]> {
    if (!vetIds.length) return [];
    const vets = await this.records.load(tx, 'veterinarian', 'id = ANY($1::uuid[])', [vetIds]);
    const records = await this.records.load(tx, 'health-record', 'vet_id = ANY($1::uuid[])', [vetIds], true);
    const events = await this.records.load(tx, 'user-event', 'vet_id = ANY($1::uuid[])', [vetIds], true);
    const plans = vets.flatMap((v) => vetCopies(v, [...records, ...events]));
    return this.apply(tx, plans, (p) => causeOf(p.target.fields.vetId as string), forced);
  }

  async forPetWeights(tx: EntityManager, petIds: string[], causeOf: CauseOf, forced: boolean): Promise<EventEnvelope[]> {
    if (!petIds.length) return [];
    const pets = await this.records.load(tx, 'pet', 'id = ANY($1::uuid[])', [petIds], true);
    const latestIds = (await tx.query(
      'SELECT DISTINCT ON (pet_id) id FROM pets.health_records WHERE pet_id = ANY($1::uuid[]) ORDER BY pet_id, visit_date DESC, id DESC',
      [petIds],
    )).map((r: { id: string }) => r.id);
    const latest = await this.records.load(tx, 'health-record', 'id = ANY($1::uuid[])', [latestIds], true);
    const sources = [...pets, ...latest].map((r) => r.weightSourceEventId).filter((id): id is string => id !== null);
    const positions = new Map<string, number>(
      (await tx.query('SELECT id, position FROM pets.events WHERE id = ANY($1::uuid[])', [sources])).map((r: { id: string; position: string }) => [r.id, Number(r.position)]),
    );
    const acceptedAt = (id: string | null) => (id === null ? -1 : (positions.get(id) ?? -1));
    const plans = pets.flatMap((p) => weightSync(p, latest.find((h) => h.fields.petId === p.id), acceptedAt) ?? []);
    return this.apply(tx, plans, (p) => causeOf(p.target.aggregate === 'pet' ? p.target.id : (p.target.fields.petId as string)), forced);
  }

  private async apply(tx: EntityManager, plans: SyncPlan[], causeOf: (p: SyncPlan) => CausationContext, forced: boolean): Promise<EventEnvelope[]> {
    const states = new Map<string, RecordState>();
    const appended: EventEnvelope[] = [];
    for (const plan of plans) {
      const key = `${plan.target.aggregate}:${plan.target.id}`;
      const current = states.get(key) ?? plan.target;
      const events = syncRecord(current, lastWriterWins(plan), { ...plan.meta, forced });
      if (!events.length) continue;
      const { state, events: envelopes } = await this.records.append(tx, current, current.aggregate, current.id, events, causeOf(plan));
      states.set(key, state);
      appended.push(...envelopes);
    }
    await this.records.save(tx, [...states.values()]);
    return appended;
  }
}
