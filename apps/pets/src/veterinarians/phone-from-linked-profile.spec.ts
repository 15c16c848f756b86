import { lastWriterWins } from '../copies/sync-plan';
import { record } from '../records/record.fixtures';
import { carl } from '../user-contacts/user-contact.fixtures';
import { phoneFromLinkedProfile } from './phone-from-linked-profile';

describe('vet phone from the linked profile', () => {
  it('sends the phone to the vet record linked to the user', () => {
    const vets = [record('veterinarian', 'v1', { userId: 'u1', phone: '+1 222' }), record('veterinarian', 'v2', { userId: null })];
    expect(phoneFromLinkedProfile(carl, vets).map((p) => [p.target.id, p.wanted])).toEqual([['v1', { phone: '+1 999' }]]);
  });

  it('leaves a phone edited on the record after the profile phone was set: the later write wins', () => {
    const vet = (editedAt: string) => record('veterinarian', 'v1', { userId: 'u1', phone: '+1 555' }, null, { phone: editedAt });
    const [newerEdit] = phoneFromLinkedProfile(carl, [vet('2026-01-02T12:00:00.000Z')]);
    expect(lastWriterWins(newerEdit)).toEqual({});
    const [olderEdit] = phoneFromLinkedProfile(carl, [vet('2026-01-01T12:00:00.000Z')]);
    expect(lastWriterWins(olderEdit)).toEqual({ phone: '+1 999' });
  });
});
