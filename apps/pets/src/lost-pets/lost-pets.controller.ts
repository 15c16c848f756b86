import { Present } from '../records/present';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Req, UseGuards } from '@nestjs/common';
import { IsIn, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { BearerAuthGuard, CurrentUser, type AuthUser } from '@ripple/auth';
import { isAdmin } from '../access/access';
import { RecordAccess } from '../access/access.guard';
import { RecordCommands } from '../records/record.commands';
import { recordView } from '../records/record-tables';
import { causationOf } from '../records/request-context';
import { contactFor } from '../records/user-contacts';

export class ReportLostPetDto {
  @IsUUID() petId: string;
  @IsString() @MinLength(1) @MaxLength(300) lastSeenLocation: string;
}

/** The contact phone is the reporter's profile phone, kept in sync while the pet is lost and taken anew when it is lost again. */
export class UpdateLostPetDto {
  @Present() @IsString() @MinLength(1) @MaxLength(300) lastSeenLocation?: string;
  @Present() @IsIn(['lost', 'found']) status?: 'lost' | 'found';
}

@Controller('api/lost-pets')
@UseGuards(BearerAuthGuard)
export class LostPetsController {
  constructor(private readonly records: RecordCommands, private readonly access: RecordAccess) {}

  @Post()
  @HttpCode(201)
  async report(@Body() dto: ReportLostPetDto, @CurrentUser() caller: AuthUser, @Req() req: unknown) {
    const report = await this.records.create('lost-pet', async (tx) => {
      const pet = await this.access.reference('petId', dto.petId, () => this.access.editablePet(caller, dto.petId, tx));
      const reporter = await contactFor(tx, 'reporter', caller.sub);
      return { petId: pet.id, reporterId: caller.sub, contactPhone: reporter.phone, lastSeenLocation: dto.lastSeenLocation, status: 'lost' };
    }, causationOf(req, caller.sub));
    return { success: true, message: 'Lost pet reported', data: recordView(report) };
  }

  @Get()
  async list(@CurrentUser() caller: AuthUser) {
    const reports = await this.records.list('lost-pet', '($2 OR reporter_id = $1 OR pet_id IN (SELECT id FROM pets.pets WHERE owner_id = $1))', [caller.sub, isAdmin(caller)]);
    return { success: true, data: reports.map(recordView) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() caller: AuthUser) {
    return { success: true, data: recordView(await this.access.lostPet(caller, await this.access.load('lost-pet', id))) };
  }

  @Put(':id')
  async update(@Param('id', new ParseUUIDPipe()) id: string, @Body() dto: UpdateLostPetDto, @CurrentUser() caller: AuthUser, @Req() req: unknown) {
    const report = await this.records.update('lost-pet', id, async (state, tx) => {
      await this.access.lostPet(caller, state, tx);
      // Found reports stop following the profile: one that is lost again takes the current contact, as a new report does.
      const reopened = dto.status === 'lost' && state.fields.status !== 'lost';
      const contact = reopened ? { contactPhone: (await contactFor(tx, 'reporter', state.fields.reporterId as string)).phone } : {};
      return { lastSeenLocation: dto.lastSeenLocation, status: dto.status, ...contact };
    }, undefined, causationOf(req, caller.sub));
    return { success: true, message: 'Lost pet report updated', data: recordView(report) };
  }
}
