import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { BearerAuthGuard, Roles } from '@ripple/auth';
import { ADSERVER_TYPES, type AdServerType, type EntityStatus } from '../adserver-model';
import { entityView, LocalEntities } from './local-entities';

export class TypeParam {
  @IsIn(ADSERVER_TYPES) type!: AdServerType;
}

export class EntityParam extends TypeParam {
  @IsUUID() id!: string;
}

export class ListQuery {
  @IsOptional() @IsIn(['local', 'synced', 'imported']) status?: EntityStatus;
}

/** CRUD of ad-server entities under `/api/adserver/<type>`; only local ones change. */
@Controller('api/adserver')
@UseGuards(BearerAuthGuard)
@Roles('admin')
export class AdServerController {
  constructor(private readonly entities: LocalEntities) {}

  @Get(':type')
  async list(@Param() p: TypeParam, @Query() q: ListQuery) {
    return { success: true, data: (await this.entities.list(p.type, q.status)).map(entityView) };
  }

  @Get(':type/:id')
  async get(@Param() p: EntityParam) {
    return { success: true, data: entityView(await this.entities.get(p.type, p.id)) };
  }

  @Post(':type')
  async create(@Param() p: TypeParam, @Body() body: Record<string, unknown>) {
    return { success: true, data: entityView(await this.entities.create(p.type, body)) };
  }

  @Patch(':type/:id')
  async update(@Param() p: EntityParam, @Body() body: Record<string, unknown>) {
    return { success: true, data: entityView(await this.entities.update(p.type, p.id, body)) };
  }

  @Delete(':type/:id')
  @HttpCode(204)
  async remove(@Param() p: EntityParam) {
    await this.entities.remove(p.type, p.id);
  }
}
