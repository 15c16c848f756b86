import { Module } from '@nestjs/common';
import { OutboxRelayModule, RippleModule, SERVICE_CONFIG } from '@ripple/service-host';
import { ChangeRoleController } from './users/changing-role/change-role.controller';
import { LoginController } from './users/logging-in/login.controller';
import { ReadUsersController } from './users/reading-users/read-users.controller';
import { RegisterUserController } from './users/registering-user/register-user.controller';
import { UpdateProfileController } from './users/updating-profile/update-profile.controller';
import { UserRepository } from './users/user.repository';
import { AdminSeeder } from './users/admin-seeder';
import { ChangePasswordController } from './users/changing-password/change-password.controller';
import { LoginThrottle } from './users/logging-in/login-throttle';
import { LogoutController } from './users/logging-out/logout.controller';
import { PetRelations } from './pet-relations/pet-relations.reader';
import { PetRelationsProjection } from './pet-relations/pet-relations.projection';
import { profilesDefinition, type ProfilesConfig } from './profiles.definition';

/** Profiles: users (registration, sign-in, profile, role, password), their events on PROFILES, and the pet relations it follows. */
@Module({
  imports: [RippleModule.forService(profilesDefinition), OutboxRelayModule],
  // Order matters: /api/users/profile and /api/users/me before /api/users/:id.
  controllers: [RegisterUserController, LoginController, LogoutController, UpdateProfileController, ChangePasswordController, ChangeRoleController, ReadUsersController],
  providers: [
    UserRepository,
    AdminSeeder,
    PetRelations,
    PetRelationsProjection,
    {
      provide: LoginThrottle,
      inject: [SERVICE_CONFIG],
      useFactory: (c: ProfilesConfig) =>
        new LoginThrottle({ perAccount: c.LOGIN_MAX_FAILURES_PER_ACCOUNT, perAddress: c.LOGIN_MAX_FAILURES_PER_ADDRESS, windowMs: c.LOGIN_THROTTLE_WINDOW_SECONDS * 1000 }),
    },
  ],
})
export class ProfilesModule {}
