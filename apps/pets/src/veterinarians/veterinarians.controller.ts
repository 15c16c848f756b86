import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Put, Req, Res, UseGuards } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ResponseHeaders } from '@ripple/http-edge';
import { BearerAuthGuard, CurrentUser, type AuthUser } from '@ripple/auth';
import { RecordAccess } from '../access/record-access';
import { CopySync } from '../copies/copy-sync';
import { recordView } from '../records/record-kind';
import { RecordCommands } from '../records/record.commands';
import { causationOf, parseIfMatch } from '../records/request-context';
import { contactFor } from '../user-contacts/contact-for';
import { registerVeterinarian, updateVeterinarian, VETERINARIAN_RECORD } from './veterinarian';
import { RegisterVeterinarianDto, UpdateVeterinarianDto } from './veterinarian.dto';
import { VeterinariansReader } from './veterinarians.reader';

@Controller('api/veterinarians')
@UseGuards(BearerAuthGuard)
export class VeterinariansController {
  constructor(
    private readonly records: RecordCommands, private readonly access: RecordAccess, private readonly copies: CopySync, private readonly vets: VeterinariansReader,
  ) {}

  @Post()
  @HttpCode(201)
  async register(@Body() dto: RegisterVeterinarianDto, @CurrentUser() caller: AuthUser, @Req() req: unknown) {
    const ctx = causationOf(req, caller.sub);
    const { userId } = dto;
    // Without a phone of its own, the record copies the linked profile's as a copy, not an edit: it keeps following the profile.
    const copyPhone = userId && dto.phone === undefined ? (tx: EntityManager) => this.copies.forUsers(tx, [userId], () => ctx, false) : undefined;
    const vet = await this.records.create(VETERINARIAN_RECORD, async (tx) => {
      const linked = userId ? await contactFor(tx, 'userId', userId) : undefined;
      return registerVeterinarian({ name: dto.name, clinicName: dto.clinicName, phone: dto.phone, email: dto.email, linked, createdBy: caller.sub });
    }, ctx, copyPhone);
    return { success: true, message: 'Veterinarian added', data: recordView(vet) };
  }

  @Get()
  async list(@CurrentUser() caller: AuthUser) {
    return { success: true, data: (await this.vets.visibleTo(caller)).map(recordView) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() caller: AuthUser) {
    return { success: true, data: recordView(await this.access.vet(caller, id)) };
  }

  /** Clinic, name and phone follow to every health record and user event with this vet. */
  @Put(':id')
  async update(
    @Param('id', new ParseUUIDPipe()) id: string, @Body() dto: UpdateVeterinarianDto, @CurrentUser() caller: AuthUser,
    @Headers('if-match') ifMatch: string | undefined, @Req() req: unknown, @Res({ passthrough: true }) res: ResponseHeaders,
  ) {
    const expectedVersion = parseIfMatch(ifMatch);
    const vet = await this.records.update(VETERINARIAN_RECORD, id, async (state, tx) => {
      await this.access.vet(caller, state.id, tx);
      return updateVeterinarian(state, { name: dto.name, clinicName: dto.clinicName, phone: dto.phone, email: dto.email }, expectedVersion);
    }, causationOf(req, caller.sub));
    res.header('ETag', `"${vet.version}"`);
    return { success: true, message: 'Veterinarian updated', data: recordView(vet) };
  }
}
