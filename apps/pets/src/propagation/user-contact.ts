import type { ProfilesEvent } from '@ripple/contracts';

/** The pets service's own copy of what it needs from a user's profile. */
export interface UserContact {
  userId: string;
  username: string;
  role: string;
  fullName: string | null;
  phone: string | null;
}

export function evolveContact(contact: UserContact | undefined, event: ProfilesEvent): UserContact {
  switch (event.type) {
    case 'UserRegistered':
      return {
        userId: event.aggregateId, username: event.data.username, role: event.data.role,
        fullName: event.data.profileInfo.fullName ?? null, phone: event.data.profileInfo.phone ?? null,
      };
    case 'UserProfileUpdated': {
      const c = known(contact, event);
      const { fullName, phone } = event.data.changes;
      return { ...c, fullName: fullName === undefined ? c.fullName : fullName, phone: phone === undefined ? c.phone : phone };
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

/** The name copies show for a contact: the full name, else the username. */
export const contactName = (c: UserContact) => c.fullName ?? c.username;

/** True when a change touches what copies hold (name or phone). */
export const contactChanged = (before: UserContact | undefined, after: UserContact) =>
  !!before && (before.phone !== after.phone || contactName(before) !== contactName(after));

function known(contact: UserContact | undefined, event: ProfilesEvent): UserContact {
  // Per-aggregate order puts registration first; anything else is a broken stream.
  if (!contact) throw new Error(`${event.type} ${event.id} for unknown user ${event.aggregateId}`);
  return contact;
}
