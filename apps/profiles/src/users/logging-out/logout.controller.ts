import { Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { ResponseHeaders } from '@ripple/http-edge';
import { BearerAuthGuard, CurrentUser, type AuthUser } from '@ripple/auth';
import { announceRevocation, causationOf } from '../request-context';
import { logOut } from '../user';
import { UserRepository } from '../user.repository';

@Controller('api/auth')
@UseGuards(BearerAuthGuard)
export class LogoutController {
  constructor(private readonly users: UserRepository) {}

  /** Revokes every token of the caller (all devices); their open change feeds close. */
  @Post('logout')
  @HttpCode(200)
  async logout(@CurrentUser() caller: AuthUser, @Req() req: unknown, @Res({ passthrough: true }) res: ResponseHeaders) {
    const { events } = await this.users.update(caller.sub, logOut, causationOf(req, caller.sub));
    announceRevocation(res, events);
    return { success: true, message: 'Signed out: every token of this account is revoked' };
  }
}
