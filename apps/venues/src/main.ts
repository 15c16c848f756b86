import 'reflect-metadata';
import { runService } from '@ripple/service-host';
import { venuesDefinition } from './venues.definition';
import { VenuesModule } from './venues.module';

void runService(venuesDefinition, (rt) => VenuesModule.forRuntime(rt as never));
