import { PETS_RECORD_TYPES, type LostPetEvent, type LostPetFields } from '@ripple/contracts';
import type { PetState } from '../pets/pet';
import type { RecordKind } from '../records/record-kind';
import { created, edited, editOf, eventsOf, synced, syncOf, type Decided, type RecordState, type SyncMeta } from '../records/record-state';

export type LostPetReportState = RecordState<'lost-pet'>;
export type LostPetStatus = 'lost' | 'found';

export interface ReportLostPet {
  pet: PetState;
  reporterId: string;
  /** The reporter's profile phone (their contact copy). */
  reporterPhone: string | null;
  lastSeenLocation: string;
}

export interface UpdateLostPetReport {
  lastSeenLocation?: string;
  status?: LostPetStatus;
}

export function evolveLostPetReport(state: LostPetReportState | undefined, event: LostPetEvent): LostPetReportState {
  switch (event.type) {
    case 'LostPetReported':
      return created('lost-pet', event);
    case 'LostPetUpdated':
      return edited(state, event);
    case 'LostPetSynced':
      return synced(state, event);
    default: {
      const never: never = event;
      throw new Error(`unknown lost-pet event ${(never as { type: string }).type}`);
    }
  }
}

export const reportLostPet = (cmd: ReportLostPet): Decided<LostPetEvent>[] => [{
  type: 'LostPetReported',
  data: { petId: cmd.pet.id, reporterId: cmd.reporterId, contactPhone: cmd.reporterPhone, lastSeenLocation: cmd.lastSeenLocation, status: 'lost' },
}];

/** Found reports stop following the profile: one that is lost again takes the current contact, as a new report does. */
export const reopens = (report: LostPetReportState, cmd: UpdateLostPetReport) => cmd.status === 'lost' && report.fields.status !== 'lost';

/** `reporterPhone`: the reporter's current phone, needed when the update reopens the report. */
export function updateLostPetReport(report: LostPetReportState, cmd: UpdateLostPetReport, reporterPhone?: string | null): Decided<LostPetEvent>[] {
  const contact = reopens(report, cmd) ? { contactPhone: reporterPhone ?? null } : {};
  return eventsOf('LostPetUpdated', editOf(report, { lastSeenLocation: cmd.lastSeenLocation, status: cmd.status, ...contact }));
}

export const syncLostPetReport = (report: LostPetReportState, wanted: Partial<LostPetFields>, meta: SyncMeta): Decided<LostPetEvent>[] =>
  eventsOf('LostPetSynced', syncOf(report, wanted, meta));

export const LOST_PET_REPORT: RecordKind<'lost-pet'> = {
  aggregate: 'lost-pet', table: 'lost_pets', fields: Object.keys(PETS_RECORD_TYPES['lost-pet'].fields), tracksWeight: false,
  evolve: evolveLostPetReport, sync: syncLostPetReport, syncedType: 'LostPetSynced',
};
