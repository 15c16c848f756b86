import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Req, UseGuards } from '@nestjs/common';
import { BearerAuthGuard, CurrentUser, type AuthUser } from '@ripple/auth';
import { RecordAccess } from '../access/record-access';
import { recordView } from '../records/record-kind';
import { RecordCommands } from '../records/record.commands';
import { causationOf } from '../records/request-context';
import { scheduleUserEvent, updateUserEvent, USER_EVENT_RECORD } from './user-event';
import { ScheduleUserEventDto, UpdateUserEventDto } from './user-event.dto';
import { UserEventsReader } from './user-events.reader';

/** Appointments: the veterinarian's name and phone are copied from the vet record and follow it. */
@Controller('api/user-events')
@UseGuards(BearerAuthGuard)
export class UserEventsController {
  constructor(private readonly records: RecordCommands, private readonly access: RecordAccess, private readonly userEvents: UserEventsReader) {}

  @Post()
  @HttpCode(201)
  async schedule(@Body() dto: ScheduleUserEventDto, @CurrentUser() caller: AuthUser, @Req() req: unknown) {
    const event = await this.records.create(USER_EVENT_RECORD, async (tx) => {
      if (dto.petId) await this.access.reference('petId', dto.petId, () => this.access.pet(caller, dto.petId!, tx));
      // A concurrent edit of the vet commits first (this copies its values) or waits for this event (its reactor then finds it).
      await tx.query('SELECT 1 FROM pets.veterinarians WHERE id = $1 FOR SHARE', [dto.vetId]);
      const vet = await this.access.reference('vetId', dto.vetId, () => this.access.vet(caller, dto.vetId, tx));
      return scheduleUserEvent({ userId: caller.sub, vet, petId: dto.petId, title: dto.title, startsAt: dto.startsAt });
    }, causationOf(req, caller.sub));
    return { success: true, message: 'Event scheduled', data: recordView(event) };
  }

  @Get()
  async list(@CurrentUser() caller: AuthUser) {
    return { success: true, data: (await this.userEvents.visibleTo(caller)).map(recordView) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() caller: AuthUser) {
    return { success: true, data: recordView(this.access.userEvent(caller, await this.access.load(USER_EVENT_RECORD, id))) };
  }

  @Put(':id')
  async update(@Param('id', new ParseUUIDPipe()) id: string, @Body() dto: UpdateUserEventDto, @CurrentUser() caller: AuthUser, @Req() req: unknown) {
    const event = await this.records.update(USER_EVENT_RECORD, id, async (state) => updateUserEvent(this.access.userEvent(caller, state), dto), causationOf(req, caller.sub));
    return { success: true, message: 'Event updated', data: recordView(event) };
  }
}
