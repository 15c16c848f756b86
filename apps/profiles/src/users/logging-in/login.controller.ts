import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { IsString, MaxLength } from 'class-validator';
import { signToken, verifyPassword } from '@ripple/auth';
import { SERVICE_CONFIG } from '@ripple/service-host';
import type { ProfilesConfig } from '../../profiles.definition';
import { InvalidCredentialsError } from '../user.errors';
import { UserRepository } from '../user.repository';
import { userView } from '../user.view';

export class LoginDto {
  /** Username or email. */
  @IsString() @MaxLength(254) username: string;
  @IsString() @MaxLength(200) password: string;
}

@Controller('api/auth')
export class LoginController {
  constructor(private readonly users: UserRepository, @Inject(SERVICE_CONFIG) private readonly config: ProfilesConfig) {}

  @Post('login')
  @HttpCode(200)
  async login(@Body() dto: LoginDto) {
    const user = await this.users.findByLogin(dto.username);
    if (!user || !(await verifyPassword(dto.password, user.passwordHash))) throw new InvalidCredentialsError();
    const token = signToken({ sub: user.id, role: user.role, username: user.username }, this.config.JWT_SECRET, this.config.JWT_TTL_SECONDS);
    return { success: true, data: { token, expiresIn: this.config.JWT_TTL_SECONDS, user: userView(user, { sub: user.id, role: user.role }) } };
  }
}
