import { Body, Controller, Headers, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ProfileInfo } from '@ripple/contracts';
import { bearerToken, hashPassword, JWT_SECRET, verifyToken } from '@ripple/auth';
import { causationOf } from '../request-context';
import { registerUser } from '../user';
import { EmailTakenError, NotAllowedError, UsernameTakenError } from '../user.errors';
import { UserRepository } from '../user.repository';
import { userView } from '../user.view';
import { RegisterUserDto } from './register-user.dto';

@Controller('api/users')
export class RegisterUserController {
  constructor(private readonly users: UserRepository, @Inject(JWT_SECRET) private readonly secret: string) {}

  @Post()
  @HttpCode(201)
  async register(@Body() dto: RegisterUserDto, @Req() req: unknown, @Headers('authorization') authorization?: string) {
    if (dto.role === 'admin') this.requireAdmin(authorization);
    const id = randomUUID();
    const events = registerUser({ userId: id, username: dto.username, email: dto.email.toLowerCase(), role: dto.role, profileInfo: (dto.profileInfo ?? {}) as ProfileInfo });
    try {
      const user = await this.users.create(id, events, await hashPassword(dto.password), causationOf(req, id));
      return { success: true, message: 'User registered successfully', data: userView(user) };
    } catch (err) {
      const e = err as { code?: string; constraint?: string; driverError?: { constraint?: string } };
      const constraint = e.constraint ?? e.driverError?.constraint;
      // Usernames are unique ignoring case (users_username_lower_idx), as sign-in finds them.
      if (e.code === '23505' && (constraint === 'users_username_key' || constraint === 'users_username_lower_idx')) throw new UsernameTakenError(dto.username);
      if (e.code === '23505' && constraint === 'users_email_key') throw new EmailTakenError(dto.email);
      throw err;
    }
  }

  /** Anyone may sign up, but only an admin may create another admin. */
  private requireAdmin(authorization: string | undefined): void {
    const token = bearerToken(authorization);
    let role: string | undefined;
    try {
      role = token ? verifyToken(token, this.secret).role : undefined;
    } catch {
      role = undefined;
    }
    if (role !== 'admin') throw new NotAllowedError('only an admin may register an admin');
  }
}
