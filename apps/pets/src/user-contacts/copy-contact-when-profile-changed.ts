import type { EntityManager } from 'typeorm';
import type { DomainEvent, ProfilesEvent } from '@ripple/contracts';
import type { ApplyMode, Projection, Statement, StatementRows, TableMap } from '@ripple/projections';
import { BatchProjection } from '@ripple/service-host';
import { causedBy, CopySync } from '../copies/copy-sync';
import { contactChanged, contactOf, contactRow, evolveContact, mayChangeContact, type UserContact } from './user-contact';

/**
 * Profiles → the pets service's copy of user contacts, and, when a phone or name
 * changes, every copy of it (emergency contacts, lost-pet reports, linked vets)
 * through `…Synced` events caused by the profile event. The contact row is
 * written before the copies are read, so a command that reads it FOR SHARE
 * either waits for this batch or is seen by it.
 */
@BatchProjection()
export class CopyContactWhenProfileChanged implements Projection {
  readonly name = 'contact-sync';
  readonly source = 'profiles' as const;
  readonly tables = ['user_contacts'];
  // Most profile changes are none of its business, and nobody waits on the copies (the product's
  // bound for others to see a change is 2 s): its events may gather at the broker between pulls,
  // so that a stream of profile changes wakes this service a few times a second, not once each.
  readonly paceMs = 250;

  constructor(private readonly copies: CopySync) {}

  // Most profile changes (a bio, a venue's description) touch no contact: the runner batches them up.
  ignores(e: DomainEvent): boolean {
    return e.aggregateType !== 'user' || !mayChangeContact(e as ProfilesEvent);
  }

  // The batch's users' contacts, read with the batch's BEGIN.
  reads(events: DomainEvent[], t: TableMap): Statement[] {
    const ids = userIdsOf(events);
    return ids.length ? [{ text: `SELECT * FROM ${t('user_contacts')} WHERE user_id = ANY($1::uuid[])`, values: [ids] }] : [];
  }

  async apply(tx: EntityManager, events: DomainEvent[], t: TableMap, mode: ApplyMode, read: StatementRows): Promise<void> {
    const userEvents = events.filter((e): e is ProfilesEvent => e.aggregateType === 'user');
    if (!userEvents.length) return;
    const rows = read.length > 0 ? read[0] : await tx.query(`SELECT * FROM ${t('user_contacts')} WHERE user_id = ANY($1::uuid[])`, [userIdsOf(userEvents)]);
    const before = new Map<string, UserContact>(rows.map((r: Record<string, any>) => [r.user_id, contactOf(r)]));
    const after = new Map(before);
    const trigger = new Map<string, ProfilesEvent>();
    for (const e of userEvents) {
      const next = evolveContact(after.get(e.aggregateId), e);
      if (contactChanged(after.get(e.aggregateId), next)) trigger.set(e.aggregateId, e);
      after.set(e.aggregateId, next);
    }
    // Most profile changes (a bio, a venue's description) leave the contact as it was: nothing to write.
    await save(tx, t, [...after.values()].filter((c) => !sameContact(before.get(c.userId), c)));
    if (mode === 'replay' || !trigger.size) return;
    await this.copies.forUsers(tx, [...trigger.keys()], (userId) => causedBy(trigger.get(userId)!), false);
  }
}

const userIdsOf = (events: DomainEvent[]) => [...new Set(events.filter((e) => e.aggregateType === 'user').map((e) => e.aggregateId))];

const sameContact = (a: UserContact | undefined, b: UserContact) =>
  !!a && (Object.keys(b) as (keyof UserContact)[]).every((k) => a[k] === b[k]);

async function save(tx: EntityManager, t: TableMap, contacts: UserContact[]): Promise<void> {
  if (!contacts.length) return;
  await tx.query(
    `INSERT INTO ${t('user_contacts')} (user_id, username, role, full_name, phone, phone_at)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(user_id uuid, username text, role text, full_name text, phone text, phone_at timestamptz)
     ON CONFLICT (user_id) DO UPDATE SET username = EXCLUDED.username, role = EXCLUDED.role, full_name = EXCLUDED.full_name, phone = EXCLUDED.phone,
       phone_at = EXCLUDED.phone_at`,
    [JSON.stringify(contacts.map(contactRow))],
  );
}
