import 'reflect-metadata';
import { bootstrapService } from '@ripple/service-host';
import { PetsModule } from './pets.module';

void bootstrapService(PetsModule);
