import type { SyncPlan } from '../copies/sync-plan';
import { contactRule, type UserContact } from '../user-contacts/user-contact';
import type { VeterinarianState } from './veterinarian';

/**
 * A vet user's phone → the veterinarian record linked to them. The phone may
 * also be edited on the record itself, so the later of the two writes wins.
 */
export const phoneFromLinkedProfile = (contact: UserContact, vets: VeterinarianState[]): SyncPlan<'veterinarian'>[] =>
  vets.filter((v) => v.fields.userId === contact.userId)
    .map((target) => ({ target, wanted: { phone: contact.phone }, meta: contactRule(contact), at: { phone: contact.phoneAt } }));
