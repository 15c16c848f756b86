import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isAdmin, type Caller } from '../access/access';
import { RecordStore } from '../records/record.store';
import { LOST_PET_REPORT, type LostPetReportState } from './lost-pet-report';

/** The lost-pet reports a caller sees: those they made and those of their pets; an admin all. */
@Injectable()
export class LostPetReportsReader {
  constructor(private readonly dataSource: DataSource, private readonly store: RecordStore) {}

  visibleTo(caller: Caller): Promise<LostPetReportState[]> {
    return this.store.load(this.dataSource.manager, LOST_PET_REPORT, '($2 OR reporter_id = $1 OR pet_id IN (SELECT id FROM pets.pets WHERE owner_id = $1))', [caller.sub, isAdmin(caller)]);
  }
}
