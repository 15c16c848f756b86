import { Module } from '@nestjs/common';
import { EventStore } from '@ripple/event-store';
import { OutboxRelayModule, RippleModule } from '@ripple/service-host';
import { RecordAccess } from './access/record-access';
import { CopySync } from './copies/copy-sync';
import { PetSyncProjection } from './copies/pet-sync.projection';
import { HealthRecordsController } from './health-records/health-records.controller';
import { HealthRecordsReader } from './health-records/health-records.reader';
import { LostPetReportsReader } from './lost-pet-reports/lost-pet-reports.reader';
import { LostPetsController } from './lost-pet-reports/lost-pets.controller';
import { MeasurementsReader } from './pets/measurements.reader';
import { PetHistoryReactor } from './pets/pet-history.reactor';
import { PetsController } from './pets/pets.controller';
import { petsDefinition } from './pets.definition';
import { PetsReader } from './pets/pets.reader';
import { RecordCommands } from './records/record.commands';
import { RecordStore } from './records/record.store';
import { BatchSyncJobs } from './sync/batch-sync.jobs';
import { ForceSync } from './sync/force-sync';
import { SyncController } from './sync/sync.controller';
import { SyncLogReader } from './sync/sync-log.reader';
import { CopyContactWhenProfileChanged } from './user-contacts/copy-contact-when-profile-changed';
import { UserEventsController } from './user-events/user-events.controller';
import { UserEventsReader } from './user-events/user-events.reader';
import { VeterinariansController } from './veterinarians/veterinarians.controller';
import { VeterinariansReader } from './veterinarians/veterinarians.reader';

/**
 * Pets: pets, veterinarians, health records, lost-pet reports and user events,
 * each its own aggregate; the copies between them and from profiles kept in
 * step by the projections and the pet-history reactor; sync jobs and the sync log.
 */
@Module({
  imports: [RippleModule.forService(petsDefinition), OutboxRelayModule],
  controllers: [PetsController, VeterinariansController, HealthRecordsController, LostPetsController, UserEventsController, SyncController, PetHistoryReactor],
  providers: [
    { provide: RecordStore, useFactory: (events: EventStore) => new RecordStore(events), inject: [EventStore] },
    { provide: CopySync, useFactory: (store: RecordStore) => new CopySync(store), inject: [RecordStore] },
    CopyContactWhenProfileChanged, PetSyncProjection,
    RecordCommands, RecordAccess, ForceSync, BatchSyncJobs, SyncLogReader,
    PetsReader, MeasurementsReader, VeterinariansReader, HealthRecordsReader, LostPetReportsReader, UserEventsReader,
  ],
})
export class PetsModule {}
