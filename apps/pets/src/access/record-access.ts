import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { PetsAggregate } from '@ripple/contracts';
import { HEALTH_RECORD, type HealthRecordState } from '../health-records/health-record';
import type { LostPetReportState } from '../lost-pet-reports/lost-pet-report';
import { PET_RECORD, type PetState } from '../pets/pet';
import { NotAllowedError, RecordNotFoundError, UnknownReferenceError } from '../pets.errors';
import type { RecordKind } from '../records/record-kind';
import type { RecordState } from '../records/record-state';
import { RecordStore } from '../records/record.store';
import type { UserEventState } from '../user-events/user-event';
import { VETERINARIAN_RECORD, type VeterinarianState } from '../veterinarians/veterinarian';
import { canEditPet, canSeeHealthRecord, canSeeLostPet, canSeePet, canSeeUserEvent, canSeeVet, type Caller } from './access';

/**
 * Loads a record for a caller: one they may not see is "not found" (its
 * existence is not revealed); one they see but may not change is forbidden.
 */
@Injectable()
export class RecordAccess {
  constructor(private readonly dataSource: DataSource, private readonly store: RecordStore) {}

  async pet(c: Caller, id: string, tx?: EntityManager): Promise<PetState> {
    const pet = await this.load(PET_RECORD, id, tx);
    const treats = !canEditPet(c, pet.fields) && (await this.treats(c, id));
    if (!canSeePet(c, pet.fields, treats)) throw new RecordNotFoundError('pet', id);
    return pet;
  }

  async editablePet(c: Caller, id: string, tx?: EntityManager): Promise<PetState> {
    const pet = await this.pet(c, id, tx);
    if (!canEditPet(c, pet.fields)) throw new NotAllowedError('only the owner may change this pet');
    return pet;
  }

  async vet(c: Caller, id: string, tx?: EntityManager): Promise<VeterinarianState> {
    const vet = await this.load(VETERINARIAN_RECORD, id, tx);
    if (!canSeeVet(c, vet.fields)) throw new RecordNotFoundError('veterinarian', id);
    return vet;
  }

  async healthRecord(c: Caller, record: HealthRecordState, tx?: EntityManager): Promise<HealthRecordState> {
    const pet = await this.load(PET_RECORD, record.fields.petId, tx);
    const vet = await this.load(VETERINARIAN_RECORD, record.fields.vetId, tx);
    if (!canSeeHealthRecord(c, pet.fields, vet.fields)) throw new RecordNotFoundError('health-record', record.id);
    return record;
  }

  async lostPet(c: Caller, report: LostPetReportState, tx?: EntityManager): Promise<LostPetReportState> {
    const pet = await this.load(PET_RECORD, report.fields.petId, tx);
    if (!canSeeLostPet(c, report.fields, pet.fields)) throw new RecordNotFoundError('lost-pet', report.id);
    return report;
  }

  userEvent(c: Caller, event: UserEventState): UserEventState {
    if (!canSeeUserEvent(c, event.fields)) throw new RecordNotFoundError('user-event', event.id);
    return event;
  }

  /** A reference in a request body: unknown or invisible → 422 naming the field. */
  async reference<T>(field: string, id: string, load: () => Promise<T>): Promise<T> {
    try {
      return await load();
    } catch (err) {
      if (err instanceof RecordNotFoundError) throw new UnknownReferenceError(field, id);
      throw err;
    }
  }

  async load<A extends PetsAggregate>(kind: RecordKind<A>, id: string, tx: EntityManager = this.dataSource.manager): Promise<RecordState<A>> {
    const r = await this.store.find(tx, kind, id);
    if (!r) throw new RecordNotFoundError(kind.aggregate, id);
    return r;
  }

  private async treats(c: Caller, petId: string): Promise<boolean> {
    const rows = await this.store.load(this.dataSource.manager, HEALTH_RECORD, 'pet_id = $1 AND vet_id IN (SELECT id FROM pets.veterinarians WHERE user_id = $2)', [petId, c.sub]);
    return rows.length > 0;
  }
}
