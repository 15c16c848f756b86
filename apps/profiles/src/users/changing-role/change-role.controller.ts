import { Body, Controller, Param, ParseUUIDPipe, Put, Req, Res, UseGuards } from '@nestjs/common';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_VERSION } from '@ripple/event-store';
import { USER_ROLES, type UserRole } from '@ripple/contracts';
import type { ResponseHeaders } from '@ripple/http-edge';
import { BearerAuthGuard, CurrentUser, Roles, type AuthUser } from '@ripple/auth';
import { announceRevocation, causationOf } from '../request-context';
import { changeRole } from '../user';
import { UserRepository } from '../user.repository';
import { userView } from '../user.view';

export class ChangeRoleDto {
  @IsIn(USER_ROLES as unknown as string[], { message: `role must be one of ${USER_ROLES.join(', ')}` })
  role: UserRole;

  @IsOptional() @IsInt() @Min(0) @Max(MAX_VERSION)
  expectedVersion?: number;
}

@Controller('api/users')
@UseGuards(BearerAuthGuard)
export class ChangeRoleController {
  constructor(private readonly users: UserRepository) {}

  /** The user's tokens claiming the old role are revoked at once. */
  @Put(':id/role')
  @Roles('admin')
  async change(@Param('id', new ParseUUIDPipe()) id: string, @Body() dto: ChangeRoleDto, @CurrentUser() caller: AuthUser, @Req() req: unknown, @Res({ passthrough: true }) res: ResponseHeaders) {
    const { user, events } = await this.users.update(id, (s) => changeRole(s, dto.role, dto.expectedVersion), causationOf(req, caller.sub));
    announceRevocation(res, events);
    return { success: true, message: 'Role updated successfully', data: userView(user) };
  }
}
