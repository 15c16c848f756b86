import { Module } from '@nestjs/common';
import { OutboxRelayModule, RippleModule } from '@ripple/service-host';
import { GallerasController, VenuesController } from './directory/reading-directory/directory.controllers';
import { DirectoryReader } from './directory/reading-directory/directory.reader';
import { VenueDirectoryProjection } from './directory/venue-directory.projection';
import { venuesDefinition } from './venues.definition';

/** Venues: profiles → the venue and gallera directory (VenueSynced / GalleraSynced on VENUES), and its read API. */
@Module({
  imports: [RippleModule.forService(venuesDefinition), OutboxRelayModule],
  controllers: [VenuesController, GallerasController],
  providers: [VenueDirectoryProjection, DirectoryReader],
})
export class VenuesModule {}
