import { lastWriterWins } from '../copies/sync-plan';
import { record } from '../records/record.fixtures';
import { carl } from '../user-contacts/user-contact.fixtures';
import { contactPhoneFromProfile } from './contact-phone-from-profile';

describe('lost-pet contact phone from the profile', () => {
  it('follows the reporter’s phone while the pet is lost; a found report keeps its phone', () => {
    const reports = [
      record('lost-pet', 'l1', { reporterId: 'u1', status: 'lost', contactPhone: '+1 222' }),
      record('lost-pet', 'l2', { reporterId: 'u1', status: 'found', contactPhone: '+1 222' }),
      record('lost-pet', 'l3', { reporterId: 'u2', status: 'lost' }),
    ];
    expect(contactPhoneFromProfile(carl, reports).map((p) => [p.target.id, p.wanted])).toEqual([['l1', { contactPhone: '+1 999' }]]);
  });

  it('nobody edits the copy by hand, so it always follows its source', () => {
    const [lost] = contactPhoneFromProfile(carl, [record('lost-pet', 'l1', { reporterId: 'u1', status: 'lost' }, null, { contactPhone: '2026-01-05T00:00:00.000Z' })]);
    expect(lastWriterWins(lost)).toEqual({ contactPhone: '+1 999' });
  });
});
