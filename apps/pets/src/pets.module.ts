import { Module, type DynamicModule } from '@nestjs/common';
import type { ConfigSpec } from '@ripple/config';
import { EventStore } from '@ripple/event-store';
import { RuntimeModule, type ServiceRuntime } from '@ripple/service-host';
import { RecordAccess } from './access/access.guard';
import { HealthRecordsController } from './health-records/health-records.controller';
import { LostPetsController } from './lost-pets/lost-pets.controller';
import { MeasurementsReader } from './pets/measurements.reader';
import { PetsController } from './pets/pets.controller';
import { CopySync } from './propagation/copy-sync';
import { RecordCommands } from './records/record.commands';
import { RecordStore } from './records/record.store';
import { BatchSyncJobs } from './sync/batch-sync.jobs';
import { ForceSync } from './sync/force-sync';
import { SyncController } from './sync/sync.controller';
import { SyncLogReader } from './sync/sync-log.reader';
import { UserEventsController } from './user-events/user-events.controller';
import { VeterinariansController } from './veterinarians/veterinarians.controller';

@Module({})
export class PetsModule {
  static forRuntime(rt: ServiceRuntime<ConfigSpec>): DynamicModule {
    return {
      module: PetsModule,
      imports: [RuntimeModule.forRoot(rt)],
      controllers: [PetsController, VeterinariansController, HealthRecordsController, LostPetsController, UserEventsController, SyncController],
      providers: [
        { provide: RecordStore, useFactory: (events: EventStore) => new RecordStore(events), inject: [EventStore] },
        { provide: CopySync, useFactory: (store: RecordStore) => new CopySync(store), inject: [RecordStore] },
        RecordCommands, RecordAccess, MeasurementsReader, ForceSync, BatchSyncJobs, SyncLogReader,
      ],
    };
  }
}
