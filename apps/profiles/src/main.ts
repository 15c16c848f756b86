import 'reflect-metadata';
import { bootstrapService } from '@ripple/service-host';
import { ProfilesModule } from './profiles.module';

void bootstrapService(ProfilesModule);
