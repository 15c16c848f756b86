import { record } from '../records/record.fixtures';
import { carl } from '../user-contacts/user-contact.fixtures';
import { emergencyContactFromProfile } from './emergency-contact-from-profile';

describe('emergency contact from the profile', () => {
  it('sends name and phone to the pets the user is the emergency contact of, nothing to others', () => {
    const pets = [
      record('pet', 'p1', { emergencyContactUserId: 'u1', emergencyContactName: 'Carl', emergencyContactPhone: '+1 222' }),
      record('pet', 'p2', { emergencyContactUserId: 'u2' }),
    ];
    expect(emergencyContactFromProfile(carl, pets).map((p) => [p.target.id, p.wanted, p.meta])).toEqual([
      ['p1', { emergencyContactName: 'Carl C.', emergencyContactPhone: '+1 999' }, { rule: 'contact-from-profile', userId: 'u1', sourceEventId: null }],
    ]);
  });
});
