import 'reflect-metadata';
import { runService } from '@ripple/service-host';
import { petsDefinition } from './pets.definition';
import { PetsModule } from './pets.module';

void runService(petsDefinition, (rt) => PetsModule.forRuntime(rt as never));
