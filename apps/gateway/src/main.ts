import 'reflect-metadata';
import { bootstrapService } from '@ripple/service-host';
import { configureGateway } from './configure-gateway';
import { GatewayModule } from './gateway.module';

void bootstrapService(GatewayModule, { configure: configureGateway });
