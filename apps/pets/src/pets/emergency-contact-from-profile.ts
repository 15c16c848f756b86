import type { SyncPlan } from '../copies/sync-plan';
import { contactName, contactRule, type UserContact } from '../user-contacts/user-contact';
import type { PetState } from './pet';

/** A user's name and phone → every pet they are the emergency contact of. */
export const emergencyContactFromProfile = (contact: UserContact, pets: PetState[]): SyncPlan<'pet'>[] =>
  pets.filter((p) => p.fields.emergencyContactUserId === contact.userId).map((target) => ({
    target, wanted: { emergencyContactName: contactName(contact), emergencyContactPhone: contact.phone }, meta: contactRule(contact),
  }));
