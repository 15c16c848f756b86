import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { IsString, MaxLength } from 'class-validator';
import { signToken, verifyPassword } from '@ripple/auth';
import type { ResponseHeaders } from '@ripple/http-edge';
import { SERVICE_CONFIG } from '@ripple/service-host';
import type { ProfilesConfig } from '../../profiles.definition';
import { InvalidCredentialsError } from '../user.errors';
import { UserRepository } from '../user.repository';
import { userView } from '../user.view';
import { admitAttempt, clientAddress, type AddressedRequest, LoginThrottle } from './login-throttle';

export class LoginDto {
  /** Username or email. */
  @IsString() @MaxLength(254) username: string;
  @IsString() @MaxLength(200) password: string;
}

@Controller('api/auth')
export class LoginController {
  constructor(private readonly users: UserRepository, private readonly throttle: LoginThrottle, @Inject(SERVICE_CONFIG) private readonly config: ProfilesConfig) {}

  /** Throttled per account and per client address; the token carries the user's token version (`tv`). */
  @Post('login')
  @HttpCode(200)
  async login(@Body() dto: LoginDto, @Req() req: AddressedRequest, @Res({ passthrough: true }) res: ResponseHeaders) {
    const address = clientAddress(req);
    const user = await this.users.findByLogin(dto.username);
    // By user id when the login names one, so its username and its email count as one account.
    const account = user?.id ?? dto.username;
    admitAttempt(this.throttle, account, address, res);
    if (!user || !(await verifyPassword(dto.password, user.passwordHash))) {
      this.throttle.failed(account, address);
      throw new InvalidCredentialsError();
    }
    this.throttle.succeeded(account);
    const token = signToken({ sub: user.id, role: user.role, username: user.username, tv: user.tokenVersion }, this.config.JWT_SECRET, this.config.JWT_TTL_SECONDS);
    return { success: true, data: { token, expiresIn: this.config.JWT_TTL_SECONDS, user: userView(user) } };
  }
}
