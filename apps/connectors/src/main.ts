import 'reflect-metadata';
import { runService } from '@ripple/service-host';
import { connectorsDefinition } from './connectors.definition';
import { CONNECTORS_ERROR_STATUS } from './connectors.errors';
import { ConnectorsModule } from './connectors.module';

void runService(connectorsDefinition, (rt) => ConnectorsModule.forRuntime(rt as never), CONNECTORS_ERROR_STATUS);
