import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Put, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { EntityManager } from 'typeorm';
import { BearerAuthGuard, CurrentUser, type AuthUser } from '@ripple/auth';
import { isAdmin } from '../access/access';
import { RecordAccess } from '../access/access.guard';
import { NotAVeterinarianError } from '../pets.errors';
import { CopySync } from '../propagation/copy-sync';
import { RecordCommands } from '../records/record.commands';
import { recordView } from '../records/record-tables';
import { causationOf, parseIfMatch } from '../records/request-context';
import { contactFor } from '../records/user-contacts';
import { RegisterVeterinarianDto, UpdateVeterinarianDto } from './veterinarian.dto';

@Controller('api/veterinarians')
@UseGuards(BearerAuthGuard)
export class VeterinariansController {
  constructor(private readonly records: RecordCommands, private readonly access: RecordAccess, private readonly copies: CopySync) {}

  @Post()
  @HttpCode(201)
  async register(@Body() dto: RegisterVeterinarianDto, @CurrentUser() caller: AuthUser, @Req() req: unknown) {
    const ctx = causationOf(req, caller.sub);
    const { userId } = dto;
    // Without a phone of its own, the record copies the linked profile's as a copy, not an edit: it keeps following the profile.
    const copyPhone = userId && dto.phone === undefined ? (tx: EntityManager) => this.copies.forUsers(tx, [userId], () => ctx, false) : undefined;
    const vet = await this.records.create('veterinarian', async (tx) => {
      const linked = userId ? await contactFor(tx, 'userId', userId) : undefined;
      if (linked && linked.role !== 'veterinarian') throw new NotAVeterinarianError(linked.userId);
      return { name: dto.name, clinicName: dto.clinicName, phone: dto.phone ?? null, email: dto.email ?? null, userId: userId ?? null, createdBy: caller.sub };
    }, ctx, copyPhone);
    return { success: true, message: 'Veterinarian added', data: recordView(vet) };
  }

  @Get()
  async list(@CurrentUser() caller: AuthUser) {
    const vets = await this.records.list('veterinarian', '($2 OR created_by = $1 OR user_id = $1)', [caller.sub, isAdmin(caller)]);
    return { success: true, data: vets.map(recordView) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() caller: AuthUser) {
    return { success: true, data: recordView(await this.access.vet(caller, id)) };
  }

  /** Clinic, name and phone follow to every health record and user event with this vet. */
  @Put(':id')
  async update(
    @Param('id', new ParseUUIDPipe()) id: string, @Body() dto: UpdateVeterinarianDto, @CurrentUser() caller: AuthUser,
    @Headers('if-match') ifMatch: string | undefined, @Req() req: unknown, @Res({ passthrough: true }) res: Response,
  ) {
    const vet = await this.records.update('veterinarian', id, async (state, tx) => {
      await this.access.vet(caller, state.id, tx);
      return { name: dto.name, clinicName: dto.clinicName, phone: dto.phone, email: dto.email };
    }, parseIfMatch(ifMatch), causationOf(req, caller.sub));
    res.setHeader('ETag', `"${vet.version}"`);
    return { success: true, message: 'Veterinarian updated', data: recordView(vet) };
  }
}
