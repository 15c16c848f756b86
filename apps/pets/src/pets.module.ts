import { Module, type DynamicModule } from '@nestjs/common';
import type { ConfigSpec } from '@ripple/config';
import { EventStore } from '@ripple/event-store';
import { RuntimeModule, type ServiceRuntime } from '@ripple/service-host';
import { RecordAccess } from './access/record-access';
import { CopySync } from './copies/copy-sync';
import { HealthRecordsController } from './health-records/health-records.controller';
import { HealthRecordsReader } from './health-records/health-records.reader';
import { LostPetReportsReader } from './lost-pet-reports/lost-pet-reports.reader';
import { LostPetsController } from './lost-pet-reports/lost-pets.controller';
import { MeasurementsReader } from './pets/measurements.reader';
import { PetsController } from './pets/pets.controller';
import { PetsReader } from './pets/pets.reader';
import { RecordCommands } from './records/record.commands';
import { RecordStore } from './records/record.store';
import { BatchSyncJobs } from './sync/batch-sync.jobs';
import { ForceSync } from './sync/force-sync';
import { SyncController } from './sync/sync.controller';
import { SyncLogReader } from './sync/sync-log.reader';
import { UserEventsController } from './user-events/user-events.controller';
import { UserEventsReader } from './user-events/user-events.reader';
import { VeterinariansController } from './veterinarians/veterinarians.controller';
import { VeterinariansReader } from './veterinarians/veterinarians.reader';

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
        RecordCommands, RecordAccess, ForceSync, BatchSyncJobs, SyncLogReader,
        PetsReader, MeasurementsReader, VeterinariansReader, HealthRecordsReader, LostPetReportsReader, UserEventsReader,
      ],
    };
  }
}
