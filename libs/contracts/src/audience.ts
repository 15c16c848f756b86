/**
 * Who may see an event's record, declared by its contract as the references its
 * payload holds. The gateway's change feed follows exactly these (and admins see
 * everything); a field not named here never widens or narrows an audience.
 */
export interface Audience {
  /** Where the fields are read: the payload, or an edit's `data.changes` (the references it sets or clears). */
  from: 'data' | 'changes';
  /** The aggregate is a user: the user sees their own record. */
  self?: boolean;
  /** Fields naming users who see the record (an owner, a reporter, an emergency contact, ...). */
  users?: readonly string[];
  /** Field naming the `pet` the record is about: the pet's users and the users of the vets treating it see it too. */
  pet?: string;
  /** Field naming a `veterinarian`: the user who is that vet (its `vetUser`) sees the record. */
  vet?: string;
  /** On a veterinarian's events: the field naming the user who is this vet. */
  vetUser?: string;
  /** The vet this record names treats the pet it names (a health record): that vet's user sees the pet's records. */
  treats?: boolean;
}

/** An event that concerns no user: only admins see it. */
export const ADMINS_ONLY: Audience = { from: 'data' };

/** What an event does to its record, for a client's cache (a record's first event creates it in any case). */
export type RecordChange = 'created' | 'updated' | 'deleted';

/** The aggregates an audience's `pet` and `vet` fields point at. */
export const AUDIENCE_AGGREGATES = { pet: 'pet', vet: 'veterinarian' } as const;
