import type { RecordState } from '../records/record';
import type { SyncPlan } from './sync-plan';
import { contactName, type UserContact } from './user-contact';

/**
 * A user's phone and name → the copies other records keep of them: pets where
 * the user is the emergency contact, the user's open lost-pet reports, and the
 * veterinarian record linked to the user. The vet record's phone may also be
 * edited on the record itself, so there the later of the two writes wins.
 */
export function contactCopies(contact: UserContact, records: RecordState[]): SyncPlan[] {
  const meta = { rule: 'contact-from-profile' as const, userId: contact.userId, sourceEventId: null };
  return records.flatMap((r): SyncPlan[] => {
    const f = r.fields;
    switch (r.aggregate) {
      case 'pet':
        return f.emergencyContactUserId === contact.userId
          ? [{ target: r, wanted: { emergencyContactName: contactName(contact), emergencyContactPhone: contact.phone }, meta }]
          : [];
      case 'lost-pet':
        return f.reporterId === contact.userId && f.status === 'lost' ? [{ target: r, wanted: { contactPhone: contact.phone }, meta }] : [];
      case 'veterinarian':
        return f.userId === contact.userId ? [{ target: r, wanted: { phone: contact.phone }, meta, at: { phone: contact.phoneAt } }] : [];
      case 'health-record':
      case 'user-event':
        return [];
      default: {
        const never: never = r.aggregate;
        throw new Error(`unknown record ${never}`);
      }
    }
  });
}
