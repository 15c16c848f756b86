import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import { IsOptional, IsUUID } from 'class-validator';
import type { Response } from 'express';
import { BearerAuthGuard, CurrentUser, type AuthUser } from '@ripple/auth';
import { canSeeHealthRecord, isAdmin } from '../access/access';
import { RecordAccess } from '../access/access.guard';
import { NotAllowedError } from '../pets.errors';
import { RecordCommands } from '../records/record.commands';
import { recordView } from '../records/record-tables';
import { causationOf, parseIfMatch } from '../records/request-context';
import { RecordHealthVisitDto, UpdateHealthRecordDto } from './health-record.dto';

export class HealthRecordQueryDto {
  @IsOptional() @IsUUID() petId?: string;
}

const VISIBLE = `($2 OR pet_id IN (SELECT id FROM pets.pets WHERE owner_id = $1) OR vet_id IN (SELECT id FROM pets.veterinarians WHERE user_id = $1))
  AND ($3::uuid IS NULL OR pet_id = $3)`;

@Controller('api/health-records')
@UseGuards(BearerAuthGuard)
export class HealthRecordsController {
  constructor(private readonly records: RecordCommands, private readonly access: RecordAccess) {}

  /** Clinic name and vet phone are copied from the vet; a weight on the latest record flows to the pet. */
  @Post()
  @HttpCode(201)
  async record(@Body() dto: RecordHealthVisitDto, @CurrentUser() caller: AuthUser, @Req() req: unknown) {
    const record = await this.records.create('health-record', async (tx) => {
      const pet = await this.access.reference('petId', dto.petId, () => this.access.pet(caller, dto.petId, tx));
      await tx.query('SELECT 1 FROM pets.veterinarians WHERE id = $1 FOR SHARE', [dto.vetId]);
      const vet = await this.access.reference('vetId', dto.vetId, () => this.access.vet(caller, dto.vetId, tx));
      if (!canSeeHealthRecord(caller, pet.fields, vet.fields)) throw new NotAllowedError('only the pet owner or this vet may record a visit');
      return {
        petId: pet.id, vetId: vet.id, clinicName: vet.fields.clinicName, vetPhone: vet.fields.phone, weightKg: dto.weightKg ?? null,
        visitDate: dto.visitDate, notes: dto.notes ?? '',
      };
    }, causationOf(req, caller.sub));
    return { success: true, message: 'Health record added', data: recordView(record) };
  }

  @Get()
  async list(@Query() q: HealthRecordQueryDto, @CurrentUser() caller: AuthUser) {
    const records = await this.records.list('health-record', VISIBLE, [caller.sub, isAdmin(caller), q.petId ?? null]);
    return { success: true, data: records.map(recordView) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() caller: AuthUser) {
    return { success: true, data: recordView(await this.access.healthRecord(caller, await this.access.load('health-record', id))) };
  }

  @Put(':id')
  async update(
    @Param('id', new ParseUUIDPipe()) id: string, @Body() dto: UpdateHealthRecordDto, @CurrentUser() caller: AuthUser,
    @Headers('if-match') ifMatch: string | undefined, @Req() req: unknown, @Res({ passthrough: true }) res: Response,
  ) {
    const record = await this.records.update('health-record', id, async (state, tx) => {
      await this.access.healthRecord(caller, state, tx);
      return { weightKg: dto.weightKg, visitDate: dto.visitDate, notes: dto.notes };
    }, parseIfMatch(ifMatch), causationOf(req, caller.sub));
    res.setHeader('ETag', `"${record.version}"`);
    return { success: true, message: 'Health record updated', data: recordView(record) };
  }
}
