import 'reflect-metadata';
import { runService } from '@ripple/service-host';
import { profilesDefinition } from './profiles.definition';
import { ProfilesModule } from './profiles.module';
import { USER_ERROR_STATUS } from './users/user.errors';

void runService(profilesDefinition, (rt) => ProfilesModule.forRuntime(rt as never), USER_ERROR_STATUS);
