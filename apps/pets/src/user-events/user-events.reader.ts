import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isAdmin, type Caller } from '../access/access';
import { RecordStore } from '../records/record.store';
import { USER_EVENT_RECORD, type UserEventState } from './user-event';

/** The user events (appointments) a caller sees: their own; an admin all. */
@Injectable()
export class UserEventsReader {
  constructor(private readonly dataSource: DataSource, private readonly store: RecordStore) {}

  visibleTo(caller: Caller): Promise<UserEventState[]> {
    return this.store.load(this.dataSource.manager, USER_EVENT_RECORD, '($2 OR user_id = $1)', [caller.sub, isAdmin(caller)]);
  }
}
