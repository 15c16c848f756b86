import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isAdmin, type Caller } from '../access/access';
import { RecordStore } from '../records/record.store';
import { HEALTH_RECORD, type HealthRecordState } from './health-record';

const VISIBLE = `($2 OR pet_id IN (SELECT id FROM pets.pets WHERE owner_id = $1) OR vet_id IN (SELECT id FROM pets.veterinarians WHERE user_id = $1))
  AND ($3::uuid IS NULL OR pet_id = $3)`;

/** The health records a caller sees: of their pets, and those with the vet linked to them; an admin all. */
@Injectable()
export class HealthRecordsReader {
  constructor(private readonly dataSource: DataSource, private readonly store: RecordStore) {}

  visibleTo(caller: Caller, petId?: string): Promise<HealthRecordState[]> {
    return this.store.load(this.dataSource.manager, HEALTH_RECORD, VISIBLE, [caller.sub, isAdmin(caller), petId ?? null]);
  }
}
