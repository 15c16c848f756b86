import type { EntityManager } from 'typeorm';
import { UnknownReferenceError } from '../pets.errors';
import { contactName, contactOf, type UserContact } from './user-contact';

/**
 * Reads a user's contact copy for a command that copies it. FOR SHARE: if the
 * contact-sync projection is changing this user right now, the command waits
 * and copies the new value; if the command goes first, the projection waits and
 * then sees the new record among the copies to update.
 */
export async function contactFor(tx: EntityManager, field: string, userId: string): Promise<UserContact & { name: string }> {
  const [r] = await tx.query('SELECT * FROM pets.user_contacts WHERE user_id = $1 FOR SHARE', [userId]);
  if (!r) throw new UnknownReferenceError(field, userId);
  const contact = contactOf(r);
  return { ...contact, name: contactName(contact) };
}
