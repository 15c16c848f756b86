import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Put, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { EntityManager } from 'typeorm';
import { BearerAuthGuard, CurrentUser, type AuthUser } from '@ripple/auth';
import { isAdmin } from '../access/access';
import { RecordAccess } from '../access/access.guard';
import type { Fields } from '../records/record';
import { RecordCommands } from '../records/record.commands';
import { recordView } from '../records/record-tables';
import { causationOf, parseIfMatch } from '../records/request-context';
import { contactFor } from '../records/user-contacts';
import { RegisterPetDto, UpdatePetDto } from './pet.dto';
import { MeasurementsReader } from './measurements.reader';

const VISIBLE = `($2 OR owner_id = $1 OR id IN (SELECT h.pet_id FROM pets.health_records h JOIN pets.veterinarians v ON v.id = h.vet_id WHERE v.user_id = $1))`;

@Controller('api/pets')
@UseGuards(BearerAuthGuard)
export class PetsController {
  constructor(private readonly records: RecordCommands, private readonly access: RecordAccess, private readonly measurements: MeasurementsReader) {}

  @Post()
  @HttpCode(201)
  async register(@Body() dto: RegisterPetDto, @CurrentUser() caller: AuthUser, @Req() req: unknown, @Res({ passthrough: true }) res: Response) {
    const pet = await this.records.create('pet', async (tx) => ({
      ownerId: caller.sub, name: dto.name, species: dto.species, breed: dto.breed ?? null, weightKg: dto.weightKg ?? null,
      ...(await emergencyContact(tx, dto.emergencyContactUserId ?? null)),
    }), causationOf(req, caller.sub));
    res.setHeader('ETag', `"${pet.version}"`);
    return { success: true, message: 'Pet registered', data: recordView(pet) };
  }

  @Get()
  async list(@CurrentUser() caller: AuthUser) {
    return { success: true, data: (await this.records.list('pet', VISIBLE, [caller.sub, isAdmin(caller)])).map(recordView) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() caller: AuthUser, @Res({ passthrough: true }) res: Response) {
    const pet = await this.access.pet(caller, id);
    res.setHeader('ETag', `"${pet.version}"`);
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
    @Headers('if-match') ifMatch: string | undefined, @Req() req: unknown, @Res({ passthrough: true }) res: Response,
  ) {
    const expectedVersion = parseIfMatch(ifMatch);
    const pet = await this.records.update('pet', id, async (state, tx) => {
      await this.access.editablePet(caller, state.id, tx);
      const wanted: Partial<Fields> = { name: dto.name, species: dto.species, breed: dto.breed, weightKg: dto.weightKg };
      return dto.emergencyContactUserId === undefined ? wanted : { ...wanted, ...(await emergencyContact(tx, dto.emergencyContactUserId)) };
    }, expectedVersion, causationOf(req, caller.sub));
    res.setHeader('ETag', `"${pet.version}"`);
    return { success: true, message: 'Pet updated', data: recordView(pet) };
  }
}

async function emergencyContact(tx: EntityManager, userId: string | null): Promise<Fields> {
  if (userId === null) return { emergencyContactUserId: null, emergencyContactName: null, emergencyContactPhone: null };
  const c = await contactFor(tx, 'emergencyContactUserId', userId);
  return { emergencyContactUserId: userId, emergencyContactName: c.name, emergencyContactPhone: c.phone };
}
