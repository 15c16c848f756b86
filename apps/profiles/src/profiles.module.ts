import { Module, type DynamicModule } from '@nestjs/common';
import { RuntimeModule, type ServiceRuntime } from '@ripple/service-host';
import type { ConfigSpec } from '@ripple/config';
import { ChangeRoleController } from './users/changing-role/change-role.controller';
import { LoginController } from './users/logging-in/login.controller';
import { ReadUsersController } from './users/reading-users/read-users.controller';
import { RegisterUserController } from './users/registering-user/register-user.controller';
import { UpdateProfileController } from './users/updating-profile/update-profile.controller';
import { UserRepository } from './users/user.repository';
import { AdminSeeder } from './users/admin-seeder';

@Module({})
export class ProfilesModule {
  static forRuntime(rt: ServiceRuntime<ConfigSpec>): DynamicModule {
    return {
      module: ProfilesModule,
      imports: [RuntimeModule.forRoot(rt)],
      // Order matters: /api/users/profile and /api/users/me before /api/users/:id.
      controllers: [RegisterUserController, LoginController, UpdateProfileController, ChangeRoleController, ReadUsersController],
      providers: [UserRepository, AdminSeeder],
    };
  }
}
