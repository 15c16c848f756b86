import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PetsAggregate } from '@ripple/contracts';
import { NotAllowedError, RecordNotFoundError, UnknownReferenceError } from '../pets.errors';
import type { RecordState } from '../records/record';
import { RecordCommands } from '../records/record.commands';
import { canEditPet, canSeeHealthRecord, canSeeLostPet, canSeePet, canSeeUserEvent, canSeeVet, type Caller } from './access';

/**
 * Loads a record for a caller: one they may not see is "not found" (its
 * existence is not revealed); one they see but may not change is forbidden.
 */
@Injectable()
export class RecordAccess {
  constructor(private readonly records: RecordCommands) {}

  async pet(c: Caller, id: string, tx?: EntityManager): Promise<RecordState> {
    const pet = await this.load('pet', id, tx);
    const treats = !canEditPet(c, pet.fields) && (await this.treats(c, id));
    if (!canSeePet(c, pet.fields, treats)) throw new RecordNotFoundError('pet', id);
    return pet;
  }

  async editablePet(c: Caller, id: string, tx?: EntityManager): Promise<RecordState> {
    const pet = await this.pet(c, id, tx);
    if (!canEditPet(c, pet.fields)) throw new NotAllowedError('only the owner may change this pet');
    return pet;
  }

  async vet(c: Caller, id: string, tx?: EntityManager): Promise<RecordState> {
    const vet = await this.load('veterinarian', id, tx);
    if (!canSeeVet(c, vet.fields)) throw new RecordNotFoundError('veterinarian', id);
    return vet;
  }

  async healthRecord(c: Caller, record: RecordState, tx?: EntityManager): Promise<RecordState> {
    const pet = await this.load('pet', record.fields.petId as string, tx);
    const vet = await this.load('veterinarian', record.fields.vetId as string, tx);
    if (!canSeeHealthRecord(c, pet.fields, vet.fields)) throw new RecordNotFoundError('health-record', record.id);
    return record;
  }

  async lostPet(c: Caller, report: RecordState, tx?: EntityManager): Promise<RecordState> {
    const pet = await this.load('pet', report.fields.petId as string, tx);
    if (!canSeeLostPet(c, report.fields, pet.fields)) throw new RecordNotFoundError('lost-pet', report.id);
    return report;
  }

  userEvent(c: Caller, event: RecordState): RecordState {
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

  async load(aggregate: PetsAggregate, id: string, tx?: EntityManager): Promise<RecordState> {
    const r = await this.records.find(aggregate, id, tx);
    if (!r) throw new RecordNotFoundError(aggregate, id);
    return r;
  }

  private async treats(c: Caller, petId: string): Promise<boolean> {
    const rows = await this.records.list('health-record', 'pet_id = $1 AND vet_id IN (SELECT id FROM pets.veterinarians WHERE user_id = $2)', [petId, c.sub]);
    return rows.length > 0;
  }
}
