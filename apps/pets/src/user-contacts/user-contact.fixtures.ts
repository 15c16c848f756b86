import type { UserContact } from './user-contact';

/** A vet user whose profile phone was last set on 2 January, for the copy rules' specs. */
export const carl: UserContact = {
  userId: 'u1', username: 'carl', role: 'veterinarian', fullName: 'Carl C.', phone: '+1 999', phoneAt: '2026-01-02T00:00:00.000Z',
};
