import type { ProfilesEvent } from '@ripple/contracts';

/** The pets service's own copy of what it needs from a user's profile. */
export interface UserContact {
  userId: string;
  username: string;
  role: string;
  fullName: string | null;
  phone: string | null;
  /** When the profile last set the phone (the event's time): a vet record's own newer phone edit wins over it. */
  phoneAt: string | null;
}

export function evolveContact(contact: UserContact | undefined, event: ProfilesEvent): UserContact {
  switch (event.type) {
    case 'UserRegistered':
      return {
        userId: event.aggregateId, username: event.data.username, role: event.data.role,
        fullName: event.data.profileInfo.fullName ?? null, phone: event.data.profileInfo.phone ?? null,
        phoneAt: event.occurredAt,
      };
    case 'UserProfileUpdated': {
      const c = known(contact, event);
      const { fullName, phone } = event.data.changes;
      return {
        ...c,
        fullName: fullName === undefined ? c.fullName : fullName,
        ...(phone === undefined ? {} : { phone, phoneAt: event.occurredAt }),
      };
    }
    case 'UserRoleChanged':
      return { ...known(contact, event), role: event.data.to };
    case 'UserTokensRevoked':
      return known(contact, event);
    default: {
      const never: never = event;
      throw new Error(`unknown event ${(never as { type: string }).type}`);
    }
  }
}

/**
 * False for an event after which every contact is what it was (evolveContact
 * returns it unchanged): a profile change to neither name nor phone, a token
 * revocation. Judged on the event alone, so the projection can skip it unread.
 */
export const mayChangeContact = (event: ProfilesEvent): boolean => {
  switch (event.type) {
    case 'UserProfileUpdated':
      return event.data.changes.fullName !== undefined || event.data.changes.phone !== undefined;
    case 'UserTokensRevoked':
      return false;
    default:
      return true;
  }
};

/** The name copies show for a contact: the full name, else the username. */
export const contactName = (c: UserContact) => c.fullName ?? c.username;

/** The copy rule's meta for this user's copies. */
export const contactRule = (contact: UserContact) => ({ rule: 'contact-from-profile' as const, userId: contact.userId, sourceEventId: null });

/** True when a change touches what copies hold (name or phone). */
export const contactChanged = (before: UserContact | undefined, after: UserContact) =>
  !!before && (before.phone !== after.phone || contactName(before) !== contactName(after));

/** A row of `user_contacts`, and back. */
export const contactOf = (r: Record<string, any>): UserContact => ({
  userId: r.user_id, username: r.username, role: r.role, fullName: r.full_name, phone: r.phone,
  phoneAt: r.phone_at === null ? null : new Date(r.phone_at).toISOString(),
});
export const contactRow = (c: UserContact) =>
  ({ user_id: c.userId, username: c.username, role: c.role, full_name: c.fullName, phone: c.phone, phone_at: c.phoneAt });

function known(contact: UserContact | undefined, event: ProfilesEvent): UserContact {
  // Per-aggregate order puts registration first; anything else is a broken stream.
  if (!contact) throw new Error(`${event.type} ${event.id} for unknown user ${event.aggregateId}`);
  return contact;
}
