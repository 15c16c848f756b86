import 'reflect-metadata';
import { runService } from '@ripple/service-host';
import { profilesDefinition } from './profiles.definition';
import { ProfilesModule } from './profiles.module';

void runService(profilesDefinition, (rt) => ProfilesModule.forRuntime(rt as never));
