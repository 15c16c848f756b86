import { Present } from '../records/present';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Req, UseGuards } from '@nestjs/common';
import { IsISO8601, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { BearerAuthGuard, CurrentUser, type AuthUser } from '@ripple/auth';
import { isAdmin } from '../access/access';
import { RecordAccess } from '../access/access.guard';
import { RecordCommands } from '../records/record.commands';
import { recordView } from '../records/record-tables';
import { causationOf } from '../records/request-context';

export class ScheduleUserEventDto {
  @IsUUID() vetId: string;
  @IsOptional() @IsUUID() petId?: string;
  @IsString() @MinLength(1) @MaxLength(200) title: string;
  @IsISO8601({ strict: true }) startsAt: string;
}

export class UpdateUserEventDto {
  @Present() @IsString() @MinLength(1) @MaxLength(200) title?: string;
  @Present() @IsISO8601({ strict: true }) startsAt?: string;
}

/** Appointments: the veterinarian's name and phone are copied from the vet record and follow it. */
@Controller('api/user-events')
@UseGuards(BearerAuthGuard)
export class UserEventsController {
  constructor(private readonly records: RecordCommands, private readonly access: RecordAccess) {}

  @Post()
  @HttpCode(201)
  async schedule(@Body() dto: ScheduleUserEventDto, @CurrentUser() caller: AuthUser, @Req() req: unknown) {
    const event = await this.records.create('user-event', async (tx) => {
      if (dto.petId) await this.access.reference('petId', dto.petId, () => this.access.pet(caller, dto.petId!, tx));
      await tx.query('SELECT 1 FROM pets.veterinarians WHERE id = $1 FOR SHARE', [dto.vetId]);
      const vet = await this.access.reference('vetId', dto.vetId, () => this.access.vet(caller, dto.vetId, tx));
      return {
        userId: caller.sub, vetId: vet.id, petId: dto.petId ?? null, title: dto.title, startsAt: new Date(dto.startsAt).toISOString(),
        veterinarianName: vet.fields.name, vetPhone: vet.fields.phone,
      };
    }, causationOf(req, caller.sub));
    return { success: true, message: 'Event scheduled', data: recordView(event) };
  }

  @Get()
  async list(@CurrentUser() caller: AuthUser) {
    return { success: true, data: (await this.records.list('user-event', '($2 OR user_id = $1)', [caller.sub, isAdmin(caller)])).map(recordView) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() caller: AuthUser) {
    return { success: true, data: recordView(this.access.userEvent(caller, await this.access.load('user-event', id))) };
  }

  @Put(':id')
  async update(@Param('id', new ParseUUIDPipe()) id: string, @Body() dto: UpdateUserEventDto, @CurrentUser() caller: AuthUser, @Req() req: unknown) {
    const event = await this.records.update('user-event', id, async (state) => {
      this.access.userEvent(caller, state);
      return { title: dto.title, startsAt: dto.startsAt === undefined ? undefined : new Date(dto.startsAt).toISOString() };
    }, undefined, causationOf(req, caller.sub));
    return { success: true, message: 'Event updated', data: recordView(event) };
  }
}
