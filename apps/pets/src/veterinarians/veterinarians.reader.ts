import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isAdmin, type Caller } from '../access/access';
import { RecordStore } from '../records/record.store';
import { VETERINARIAN_RECORD, type VeterinarianState } from './veterinarian';

/** The vet records a caller sees: those they added, the one linked to them; an admin all. */
@Injectable()
export class VeterinariansReader {
  constructor(private readonly dataSource: DataSource, private readonly store: RecordStore) {}

  visibleTo(caller: Caller): Promise<VeterinarianState[]> {
    return this.store.load(this.dataSource.manager, VETERINARIAN_RECORD, '($2 OR created_by = $1 OR user_id = $1)', [caller.sub, isAdmin(caller)]);
  }
}
