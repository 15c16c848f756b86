import type { DomainEvent, PetsAggregate, PetsEvent } from '@ripple/contracts';
import { HEALTH_RECORD } from '../health-records/health-record';
import { LOST_PET_REPORT } from '../lost-pet-reports/lost-pet-report';
import { PET_RECORD } from '../pets/pet';
import { USER_EVENT_RECORD } from '../user-events/user-event';
import { VETERINARIAN_RECORD } from '../veterinarians/veterinarian';
import type { RecordKind, TableOf } from './record-kind';

/** Every pets record by aggregate type: what the shared store and the copy engine look up. */
export const RECORD_KINDS: { [A in PetsAggregate]: RecordKind<A> } = {
  pet: PET_RECORD,
  veterinarian: VETERINARIAN_RECORD,
  'health-record': HEALTH_RECORD,
  'lost-pet': LOST_PET_REPORT,
  'user-event': USER_EVENT_RECORD,
};

export const isPetsEvent = (e: DomainEvent): e is PetsEvent => Object.hasOwn(RECORD_KINDS, e.aggregateType);

export type PetsSyncedEvent = Extract<PetsEvent, { type: `${string}Synced` }>;
const SYNCED_TYPES = new Set<string>(Object.values(RECORD_KINDS).map((k) => k.syncedType));
/** A copy re-derived by a rule (`…Synced`), as opposed to a person's edit. */
export const isSynced = (e: PetsEvent): e is PetsSyncedEvent => SYNCED_TYPES.has(e.type);

const TABLES = new Map<string, TableOf>(Object.values(RECORD_KINDS).map((k) => [k.aggregate, k]));
/** The table an aggregate's records live in. */
export const tableKindOf = (aggregate: string): TableOf => {
  const kind = TABLES.get(aggregate);
  if (!kind) throw new Error(`${aggregate} is not a pets record`);
  return kind;
};
