import { PETS_RECORD_TYPES, type UserEventEvent, type UserEventFields } from '@ripple/contracts';
import type { RecordKind } from '../records/record-kind';
import { created, edited, editOf, eventsOf, synced, syncOf, type Decided, type RecordState, type SyncMeta } from '../records/record-state';
import type { VeterinarianState } from '../veterinarians/veterinarian';

export type UserEventState = RecordState<'user-event'>;

export interface ScheduleUserEvent {
  userId: string;
  vet: VeterinarianState;
  petId?: string;
  title: string;
  /** ISO 8601; stored in UTC. */
  startsAt: string;
}

export interface UpdateUserEvent {
  title?: string;
  startsAt?: string;
}

export function evolveUserEvent(state: UserEventState | undefined, event: UserEventEvent): UserEventState {
  switch (event.type) {
    case 'UserEventScheduled':
      return created('user-event', event);
    case 'UserEventUpdated':
      return edited(state, event);
    case 'UserEventSynced':
      return synced(state, event);
    default: {
      const never: never = event;
      throw new Error(`unknown user event event ${(never as { type: string }).type}`);
    }
  }
}

const utc = (at: string) => new Date(at).toISOString();

/** An appointment: the veterinarian's name and phone are copied from the vet record and follow it. */
export const scheduleUserEvent = (cmd: ScheduleUserEvent): Decided<UserEventEvent>[] => [{
  type: 'UserEventScheduled',
  data: {
    userId: cmd.userId, vetId: cmd.vet.id, petId: cmd.petId ?? null, title: cmd.title, startsAt: utc(cmd.startsAt),
    veterinarianName: cmd.vet.fields.name, vetPhone: cmd.vet.fields.phone,
  },
}];

export const updateUserEvent = (event: UserEventState, cmd: UpdateUserEvent): Decided<UserEventEvent>[] =>
  eventsOf('UserEventUpdated', editOf(event, { title: cmd.title, startsAt: cmd.startsAt === undefined ? undefined : utc(cmd.startsAt) }));

export const syncUserEvent = (event: UserEventState, wanted: Partial<UserEventFields>, meta: SyncMeta): Decided<UserEventEvent>[] =>
  eventsOf('UserEventSynced', syncOf(event, wanted, meta));

export const USER_EVENT_RECORD: RecordKind<'user-event'> = {
  aggregate: 'user-event', table: 'user_events', fields: Object.keys(PETS_RECORD_TYPES['user-event'].fields), tracksWeight: false,
  evolve: evolveUserEvent, sync: syncUserEvent, syncedType: 'UserEventSynced',
};
