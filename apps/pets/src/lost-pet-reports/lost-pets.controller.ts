import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Req, UseGuards } from '@nestjs/common';
import { BearerAuthGuard, CurrentUser, type AuthUser } from '@ripple/auth';
import { RecordAccess } from '../access/record-access';
import { recordView } from '../records/record-kind';
import { RecordCommands } from '../records/record.commands';
import { causationOf } from '../records/request-context';
import { contactFor } from '../user-contacts/contact-for';
import { LOST_PET_REPORT, reopens, reportLostPet, updateLostPetReport } from './lost-pet-report';
import { ReportLostPetDto, UpdateLostPetDto } from './lost-pet-report.dto';
import { LostPetReportsReader } from './lost-pet-reports.reader';

@Controller('api/lost-pets')
@UseGuards(BearerAuthGuard)
export class LostPetsController {
  constructor(private readonly records: RecordCommands, private readonly access: RecordAccess, private readonly reports: LostPetReportsReader) {}

  @Post()
  @HttpCode(201)
  async report(@Body() dto: ReportLostPetDto, @CurrentUser() caller: AuthUser, @Req() req: unknown) {
    const report = await this.records.create(LOST_PET_REPORT, async (tx) => {
      const pet = await this.access.reference('petId', dto.petId, () => this.access.editablePet(caller, dto.petId, tx));
      const reporter = await contactFor(tx, 'reporter', caller.sub);
      return reportLostPet({ pet, reporterId: caller.sub, reporterPhone: reporter.phone, lastSeenLocation: dto.lastSeenLocation });
    }, causationOf(req, caller.sub));
    return { success: true, message: 'Lost pet reported', data: recordView(report) };
  }

  @Get()
  async list(@CurrentUser() caller: AuthUser) {
    return { success: true, data: (await this.reports.visibleTo(caller)).map(recordView) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() caller: AuthUser) {
    return { success: true, data: recordView(await this.access.lostPet(caller, await this.access.load(LOST_PET_REPORT, id))) };
  }

  @Put(':id')
  async update(@Param('id', new ParseUUIDPipe()) id: string, @Body() dto: UpdateLostPetDto, @CurrentUser() caller: AuthUser, @Req() req: unknown) {
    const report = await this.records.update(LOST_PET_REPORT, id, async (state, tx) => {
      await this.access.lostPet(caller, state, tx);
      const reporterPhone = reopens(state, dto) ? (await contactFor(tx, 'reporter', state.fields.reporterId)).phone : undefined;
      return updateLostPetReport(state, dto, reporterPhone);
    }, causationOf(req, caller.sub));
    return { success: true, message: 'Lost pet report updated', data: recordView(report) };
  }
}
