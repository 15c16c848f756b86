import 'reflect-metadata';
import { runService } from '@ripple/service-host';
import { PETS_ERROR_STATUS } from './pets.errors';
import { petsDefinition } from './pets.definition';
import { PetsModule } from './pets.module';

void runService(petsDefinition, (rt) => PetsModule.forRuntime(rt as never), PETS_ERROR_STATUS);
