import 'reflect-metadata';
import { bootstrapService } from '@ripple/service-host';
import { VenuesModule } from './venues.module';

void bootstrapService(VenuesModule);
