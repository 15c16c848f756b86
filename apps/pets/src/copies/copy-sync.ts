import type { EntityManager } from 'typeorm';
import type { CausationContext, DomainEvent, EventEnvelope, PetsAggregate } from '@ripple/contracts';
import { HEALTH_RECORD } from '../health-records/health-record';
import { healthRecordDetailsFromVet } from '../health-records/details-from-veterinarian';
import { contactPhoneFromProfile } from '../lost-pet-reports/contact-phone-from-profile';
import { LOST_PET_REPORT } from '../lost-pet-reports/lost-pet-report';
import { emergencyContactFromProfile } from '../pets/emergency-contact-from-profile';
import { PET_RECORD } from '../pets/pet';
import { weightWithLatestHealthRecord } from '../pets/weight-with-latest-health-record';
import { RECORD_KINDS } from '../records/record-kinds';
import type { RecordState } from '../records/record-state';
import type { RecordStore } from '../records/record.store';
import { contactOf, type UserContact } from '../user-contacts/user-contact';
import { userEventDetailsFromVet } from '../user-events/details-from-veterinarian';
import { USER_EVENT_RECORD } from '../user-events/user-event';
import { phoneFromLinkedProfile } from '../veterinarians/phone-from-linked-profile';
import { VETERINARIAN_RECORD } from '../veterinarians/veterinarian';
import { lastWriterWins, type AnySyncPlan, type SyncPlan } from './sync-plan';

export type CauseOf = (key: string) => CausationContext;

/**
 * Re-derives copies from current truth: loads (and locks) every copy that
 * depends on the given users, vets or pets, asks the aggregates' copy rules what
 * each should hold, and appends a `…Synced` event per copy that differs, writing
 * the rows with one statement per table. Used by the reactors (once per batch, so
 * a burst of changes costs one write per copy) and by force/batch sync.
 */
export class CopySync {
  constructor(private readonly records: RecordStore) {}

  async forUsers(tx: EntityManager, userIds: string[], causeOf: CauseOf, forced: boolean): Promise<EventEnvelope[]> {
    if (!userIds.length) return [];
    const rows = await tx.query('SELECT * FROM pets.user_contacts WHERE user_id = ANY($1::uuid[])', [userIds]);
    const contacts: UserContact[] = rows.map(contactOf);
    const ids = [userIds];
    const vets = await this.records.load(tx, VETERINARIAN_RECORD, 'user_id = ANY($1::uuid[])', ids, true);
    const pets = await this.records.load(tx, PET_RECORD, 'emergency_contact_user_id = ANY($1::uuid[])', ids, true);
    const lost = await this.records.load(tx, LOST_PET_REPORT, 'reporter_id = ANY($1::uuid[])', ids, true);
    const plans = contacts.flatMap((c): AnySyncPlan[] => [
      ...phoneFromLinkedProfile(c, vets), ...emergencyContactFromProfile(c, pets), ...contactPhoneFromProfile(c, lost),
    ]);
    return this.apply(tx, plans, (p) => causeOf(p.meta.userId!), forced);
  }

  async forVets(tx: EntityManager, vetIds: string[], causeOf: CauseOf, forced: boolean): Promise<EventEnvelope[]> {
    if (!vetIds.length) return [];
    const vets = await this.records.load(tx, VETERINARIAN_RECORD, 'id = ANY($1::uuid[])', [vetIds]);
    const records = await this.records.load(tx, HEALTH_RECORD, 'vet_id = ANY($1::uuid[])', [vetIds], true);
    const events = await this.records.load(tx, USER_EVENT_RECORD, 'vet_id = ANY($1::uuid[])', [vetIds], true);
    const plans = vets.flatMap((v): AnySyncPlan[] => [...healthRecordDetailsFromVet(v, records), ...userEventDetailsFromVet(v, events)]);
    return this.apply(tx, plans, (p) => causeOf(vetOf(p)), forced);
  }

  async forPetWeights(tx: EntityManager, petIds: string[], causeOf: CauseOf, forced: boolean): Promise<EventEnvelope[]> {
    if (!petIds.length) return [];
    const pets = await this.records.load(tx, PET_RECORD, 'id = ANY($1::uuid[])', [petIds], true);
    const latestIds = (await tx.query(
      'SELECT DISTINCT ON (pet_id) id FROM pets.health_records WHERE pet_id = ANY($1::uuid[]) ORDER BY pet_id, visit_date DESC, id DESC',
      [petIds],
    )).map((r: { id: string }) => r.id);
    const latest = await this.records.load(tx, HEALTH_RECORD, 'id = ANY($1::uuid[])', [latestIds], true);
    const sources = [...pets, ...latest].map((r) => r.weightSourceEventId).filter((id): id is string => id !== null);
    const positions = new Map<string, number>(
      (await tx.query('SELECT id, position FROM pets.events WHERE id = ANY($1::uuid[])', [sources])).map((r: { id: string; position: string }) => [r.id, Number(r.position)]),
    );
    const acceptedAt = (id: string | null) => (id === null ? -1 : (positions.get(id) ?? -1));
    const plans = pets.flatMap((p) => weightWithLatestHealthRecord(p, latest.find((h) => h.fields.petId === p.id), acceptedAt) ?? []);
    return this.apply(tx, plans, (p) => causeOf(p.target.aggregate === 'health-record' ? p.target.fields.petId : p.target.id), forced);
  }

  private async apply(tx: EntityManager, plans: AnySyncPlan[], causeOf: (p: AnySyncPlan) => CausationContext, forced: boolean): Promise<EventEnvelope[]> {
    // Each copy has one source in a call (one user, vet or pet), so no target is planned twice.
    const states = new Map<string, RecordState<PetsAggregate>>();
    const appended: EventEnvelope[] = [];
    for (const plan of plans) {
      const synced = await this.syncOne(tx, plan, causeOf(plan), forced);
      if (!synced) continue;
      states.set(`${plan.target.aggregate}:${plan.target.id}`, synced.state);
      appended.push(...synced.events);
    }
    await this.records.save(tx, [...states.values()]);
    return appended;
  }

  /** One copy: what its rule wants, less what a newer edit of the copy keeps, as the aggregate's own `…Synced` decision. */
  private async syncOne<A extends PetsAggregate>(tx: EntityManager, plan: SyncPlan<A>, ctx: CausationContext, forced: boolean) {
    const kind = RECORD_KINDS[plan.target.aggregate];
    const events = kind.sync(plan.target, lastWriterWins(plan), { ...plan.meta, forced });
    return events.length ? this.records.append(tx, kind, plan.target, plan.target.id, events, ctx) : undefined;
  }
}

const vetOf = (p: AnySyncPlan) => ('vetId' in p.target.fields ? p.target.fields.vetId : p.target.id);

/** A reactor's copies are caused by the event that called for them. */
export const causedBy = (e: DomainEvent) => ({ correlationId: e.correlationId, causationId: e.id, actor: 'service:pets', traceparent: e.traceparent });
