import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Put, Req, Res, UseGuards } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ResponseHeaders } from '@ripple/http-edge';
import { BearerAuthGuard, CurrentUser, type AuthUser } from '@ripple/auth';
import { RecordAccess } from '../access/record-access';
import { recordView } from '../records/record-kind';
import { RecordCommands } from '../records/record.commands';
import { causationOf, parseIfMatch } from '../records/request-context';
import { contactFor } from '../user-contacts/contact-for';
import { MeasurementsReader } from './measurements.reader';
import { PET_RECORD, registerPet, updatePet, type EmergencyContact } from './pet';
import { RegisterPetDto, UpdatePetDto } from './pet.dto';
import { PetsReader } from './pets.reader';

@Controller('api/pets')
@UseGuards(BearerAuthGuard)
export class PetsController {
  constructor(
    private readonly records: RecordCommands, private readonly access: RecordAccess, private readonly pets: PetsReader, private readonly measurements: MeasurementsReader,
  ) {}

  @Post()
  @HttpCode(201)
  async register(@Body() dto: RegisterPetDto, @CurrentUser() caller: AuthUser, @Req() req: unknown, @Res({ passthrough: true }) res: ResponseHeaders) {
    const pet = await this.records.create(PET_RECORD, async (tx) => registerPet({
      ownerId: caller.sub, name: dto.name, species: dto.species, breed: dto.breed, weightKg: dto.weightKg,
      emergencyContact: await emergencyContact(tx, dto.emergencyContactUserId ?? null),
    }), causationOf(req, caller.sub));
    res.header('ETag', `"${pet.version}"`);
    return { success: true, message: 'Pet registered', data: recordView(pet) };
  }

  @Get()
  async list(@CurrentUser() caller: AuthUser) {
    return { success: true, data: (await this.pets.visibleTo(caller)).map(recordView) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() caller: AuthUser, @Res({ passthrough: true }) res: ResponseHeaders) {
    const pet = await this.access.pet(caller, id);
    res.header('ETag', `"${pet.version}"`);
    return { success: true, data: recordView(pet) };
  }

  @Get(':id/measurements')
  async measurementsOf(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() caller: AuthUser) {
    await this.access.pet(caller, id);
    return { success: true, data: await this.measurements.forPet(id) };
  }

  /** Merges the sent fields; with If-Match a stale version is refused (409), without it the last writer wins per field. */
  @Put(':id')
  async update(
    @Param('id', new ParseUUIDPipe()) id: string, @Body() dto: UpdatePetDto, @CurrentUser() caller: AuthUser,
    @Headers('if-match') ifMatch: string | undefined, @Req() req: unknown, @Res({ passthrough: true }) res: ResponseHeaders,
  ) {
    const expectedVersion = parseIfMatch(ifMatch);
    const pet = await this.records.update(PET_RECORD, id, async (state, tx) => {
      await this.access.editablePet(caller, state.id, tx);
      const contact = dto.emergencyContactUserId === undefined ? undefined : await emergencyContact(tx, dto.emergencyContactUserId);
      return updatePet(state, { name: dto.name, species: dto.species, breed: dto.breed, weightKg: dto.weightKg, emergencyContact: contact }, expectedVersion);
    }, causationOf(req, caller.sub));
    res.header('ETag', `"${pet.version}"`);
    return { success: true, message: 'Pet updated', data: recordView(pet) };
  }
}

async function emergencyContact(tx: EntityManager, userId: string | null): Promise<EmergencyContact | null> {
  if (userId === null) return null;
  const c = await contactFor(tx, 'emergencyContactUserId', userId);
  return { userId, name: c.name, phone: c.phone };
}
