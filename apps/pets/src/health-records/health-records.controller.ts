import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import { IsOptional, IsUUID } from 'class-validator';
import type { ResponseHeaders } from '@ripple/http-edge';
import { BearerAuthGuard, CurrentUser, type AuthUser } from '@ripple/auth';
import { RecordAccess } from '../access/record-access';
import { recordView } from '../records/record-kind';
import { RecordCommands } from '../records/record.commands';
import { causationOf, parseIfMatch } from '../records/request-context';
import { HEALTH_RECORD, recordHealthVisit, updateHealthRecord } from './health-record';
import { RecordHealthVisitDto, UpdateHealthRecordDto } from './health-record.dto';
import { HealthRecordsReader } from './health-records.reader';

export class HealthRecordQueryDto {
  @IsOptional() @IsUUID() petId?: string;
}

@Controller('api/health-records')
@UseGuards(BearerAuthGuard)
export class HealthRecordsController {
  constructor(private readonly records: RecordCommands, private readonly access: RecordAccess, private readonly healthRecords: HealthRecordsReader) {}

  /** Clinic name and vet phone are copied from the vet; a weight on the latest record flows to the pet. */
  @Post()
  @HttpCode(201)
  async record(@Body() dto: RecordHealthVisitDto, @CurrentUser() caller: AuthUser, @Req() req: unknown) {
    const record = await this.records.create(HEALTH_RECORD, async (tx) => {
      const pet = await this.access.reference('petId', dto.petId, () => this.access.pet(caller, dto.petId, tx));
      // A concurrent edit of the vet commits first (this copies its values) or waits for this record (its reactor then finds it).
      await tx.query('SELECT 1 FROM pets.veterinarians WHERE id = $1 FOR SHARE', [dto.vetId]);
      const vet = await this.access.reference('vetId', dto.vetId, () => this.access.vet(caller, dto.vetId, tx));
      return recordHealthVisit({ caller, pet, vet, weightKg: dto.weightKg, visitDate: dto.visitDate, notes: dto.notes });
    }, causationOf(req, caller.sub));
    return { success: true, message: 'Health record added', data: recordView(record) };
  }

  @Get()
  async list(@Query() q: HealthRecordQueryDto, @CurrentUser() caller: AuthUser) {
    return { success: true, data: (await this.healthRecords.visibleTo(caller, q.petId)).map(recordView) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() caller: AuthUser) {
    return { success: true, data: recordView(await this.access.healthRecord(caller, await this.access.load(HEALTH_RECORD, id))) };
  }

  @Put(':id')
  async update(
    @Param('id', new ParseUUIDPipe()) id: string, @Body() dto: UpdateHealthRecordDto, @CurrentUser() caller: AuthUser,
    @Headers('if-match') ifMatch: string | undefined, @Req() req: unknown, @Res({ passthrough: true }) res: ResponseHeaders,
  ) {
    const expectedVersion = parseIfMatch(ifMatch);
    const record = await this.records.update(HEALTH_RECORD, id, async (state, tx) => {
      await this.access.healthRecord(caller, state, tx);
      return updateHealthRecord(state, { weightKg: dto.weightKg, visitDate: dto.visitDate, notes: dto.notes }, expectedVersion);
    }, causationOf(req, caller.sub));
    res.header('ETag', `"${record.version}"`);
    return { success: true, message: 'Health record updated', data: recordView(record) };
  }
}
