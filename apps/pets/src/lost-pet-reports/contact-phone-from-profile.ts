import type { SyncPlan } from '../copies/sync-plan';
import { contactRule, type UserContact } from '../user-contacts/user-contact';
import type { LostPetReportState } from './lost-pet-report';

/** A reporter's phone → their reports while the pet is lost; a found report keeps the phone it had. */
export const contactPhoneFromProfile = (contact: UserContact, reports: LostPetReportState[]): SyncPlan<'lost-pet'>[] =>
  reports.filter((r) => r.fields.reporterId === contact.userId && r.fields.status === 'lost')
    .map((target) => ({ target, wanted: { contactPhone: contact.phone }, meta: contactRule(contact) }));
