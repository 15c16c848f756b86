import { Body, Controller, Inject, Put, Req, Res, UseGuards } from '@nestjs/common';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { BearerAuthGuard, CurrentUser, hashPassword, signToken, verifyPassword, type AuthUser } from '@ripple/auth';
import type { ResponseHeaders } from '@ripple/http-edge';
import { SERVICE_CONFIG } from '@ripple/service-host';
import type { ProfilesConfig } from '../../profiles.definition';
import { admitAttempt, clientAddress, type AddressedRequest, LoginThrottle } from '../logging-in/login-throttle';
import { announceRevocation, causationOf } from '../request-context';
import { changePassword } from '../user';
import { WrongPasswordError } from '../user.errors';
import { UserRepository } from '../user.repository';

export class ChangePasswordDto {
  @IsString() @MaxLength(200) currentPassword: string;
  @IsString() @MinLength(8) @MaxLength(200) newPassword: string;
}

@Controller('api/users')
@UseGuards(BearerAuthGuard)
export class ChangePasswordController {
  constructor(private readonly users: UserRepository, private readonly throttle: LoginThrottle, @Inject(SERVICE_CONFIG) private readonly config: ProfilesConfig) {}

  /**
   * Stores the new password and revokes every older token in one statement;
   * answers with a fresh token, so this client stays signed in. Wrong current
   * passwords count as failed sign-ins.
   */
  @Put('password')
  async change(@Body() dto: ChangePasswordDto, @CurrentUser() caller: AuthUser, @Req() req: AddressedRequest, @Res({ passthrough: true }) res: ResponseHeaders) {
    const address = clientAddress(req);
    admitAttempt(this.throttle, caller.sub, address, res);
    if (!(await verifyPassword(dto.currentPassword, await this.users.passwordHashOf(caller.sub)))) {
      this.throttle.failed(caller.sub, address);
      throw new WrongPasswordError();
    }
    const { user, events } = await this.users.update(caller.sub, changePassword, causationOf(req, caller.sub), undefined, await hashPassword(dto.newPassword));
    announceRevocation(res, events);
    const token = signToken({ sub: user.id, role: user.role, username: user.username, tv: user.tokenVersion }, this.config.JWT_SECRET, this.config.JWT_TTL_SECONDS);
    return { success: true, message: 'Password changed: every older token is revoked', data: { token, expiresIn: this.config.JWT_TTL_SECONDS } };
  }
}
