import 'reflect-metadata';
import { bootstrapService } from '@ripple/service-host';
import { ConnectorsModule } from './connectors.module';

void bootstrapService(ConnectorsModule);
