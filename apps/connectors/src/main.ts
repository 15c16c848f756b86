import 'reflect-metadata';
import { runService } from '@ripple/service-host';
import { connectorsDefinition } from './connectors.definition';
import { ConnectorsModule } from './connectors.module';

void runService(connectorsDefinition, (rt) => ConnectorsModule.forRuntime(rt as never));
