import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isAdmin, type Caller } from '../access/access';
import { RecordStore } from '../records/record.store';
import { PET_RECORD, type PetState } from './pet';

const VISIBLE = `($2 OR owner_id = $1 OR id IN (SELECT h.pet_id FROM pets.health_records h JOIN pets.veterinarians v ON v.id = h.vet_id WHERE v.user_id = $1))`;

/** The pets a caller sees: an owner theirs, a vet the pets they treat (a health record with them), an admin all. */
@Injectable()
export class PetsReader {
  constructor(private readonly dataSource: DataSource, private readonly store: RecordStore) {}

  visibleTo(caller: Caller): Promise<PetState[]> {
    return this.store.load(this.dataSource.manager, PET_RECORD, VISIBLE, [caller.sub, isAdmin(caller)]);
  }
}
