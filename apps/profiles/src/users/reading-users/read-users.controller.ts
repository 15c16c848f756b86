import { Controller, Get, Param, ParseUUIDPipe, Res, UseGuards } from '@nestjs/common';
import type { ResponseHeaders } from '@ripple/http-edge';
import { BearerAuthGuard, CurrentUser, type AuthUser } from '@ripple/auth';
import { PetRelations } from '../../pet-relations/pet-relations.reader';
import { UserRepository } from '../user.repository';
import { seesAll, userView } from '../user.view';

@Controller('api/users')
@UseGuards(BearerAuthGuard)
export class ReadUsersController {
  constructor(private readonly users: UserRepository, private readonly relations: PetRelations) {}

  @Get('me')
  async me(@CurrentUser() caller: AuthUser, @Res({ passthrough: true }) res: ResponseHeaders) {
    const user = await this.users.get(caller.sub);
    res.header('ETag', `"${user.version}"`);
    return { success: true, data: userView(user) };
  }

  /** Another user's private fields only to an admin, and their phone to a related party. */
  @Get(':id')
  async byId(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() caller: AuthUser, @Res({ passthrough: true }) res: ResponseHeaders) {
    const user = await this.users.get(id);
    const visibility = seesAll(id, caller) ? 'full' : (await this.relations.related(caller.sub, id)) ? 'contact' : 'public';
    res.header('ETag', `"${user.version}"`);
    // The same version reads differently to different viewers.
    res.header('Vary', 'Authorization');
    return { success: true, data: userView(user, visibility) };
  }
}
