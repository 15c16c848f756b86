import { Controller, Get, Param, ParseUUIDPipe, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { BearerAuthGuard, CurrentUser, type AuthUser } from '@ripple/auth';
import { UserRepository } from '../user.repository';
import { userView } from '../user.view';

@Controller('api/users')
@UseGuards(BearerAuthGuard)
export class ReadUsersController {
  constructor(private readonly users: UserRepository) {}

  @Get('me')
  async me(@CurrentUser() caller: AuthUser, @Res({ passthrough: true }) res: Response) {
    const user = await this.users.get(caller.sub);
    res.setHeader('ETag', `"${user.version}"`);
    return { success: true, data: userView(user, caller) };
  }

  @Get(':id')
  async byId(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() caller: AuthUser, @Res({ passthrough: true }) res: Response) {
    const user = await this.users.get(id);
    res.setHeader('ETag', `"${user.version}"`);
    return { success: true, data: userView(user, caller) };
  }
}
