import { DataSource } from 'typeorm';
import { uuidv7 } from '@ripple/contracts';
import { EventStore } from '@ripple/event-store';
import { publisherMigrations } from '@ripple/service-host';
import { createTestDatabase, type TestDatabase } from '@ripple/testing';
import { HEALTH_RECORD, recordHealthVisit } from '../health-records/health-record';
import { HealthRecordsReader } from '../health-records/health-records.reader';
import { LOST_PET_REPORT, reportLostPet } from '../lost-pet-reports/lost-pet-report';
import { LostPetReportsReader } from '../lost-pet-reports/lost-pet-reports.reader';
import { CreatePets1732240000003 } from '../migrations/1732240000003-create-pets';
import { TrackEditTimes1732240000021 } from '../migrations/1732240000021-track-edit-times';
import { PET_RECORD, registerPet } from '../pets/pet';
import { PetsReader } from '../pets/pets.reader';
import type { RecordKind } from '../records/record-kind';
import type { Decided, RecordEvent } from '../records/record-state';
import { RecordStore } from '../records/record.store';
import { scheduleUserEvent, USER_EVENT_RECORD } from '../user-events/user-event';
import { UserEventsReader } from '../user-events/user-events.reader';
import { registerVeterinarian, VETERINARIAN_RECORD } from '../veterinarians/veterinarian';
import { VeterinariansReader } from '../veterinarians/veterinarians.reader';

let db: TestDatabase;
let ds: DataSource;
let store: RecordStore;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = new DataSource({ type: 'postgres', url: db.url, schema: 'pets', migrationsTableName: 'migrations', migrations: [CreatePets1732240000003, TrackEditTimes1732240000021, ...publisherMigrations('pets')], extra: { max: 4 } });
  await ds.initialize();
  await ds.query('CREATE SCHEMA pets');
  await ds.runMigrations();
  store = new RecordStore(new EventStore('pets'));
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const ctx = { correlationId: 'c', causationId: 'c', actor: 'test' };
async function create<A extends 'pet' | 'veterinarian' | 'health-record' | 'lost-pet' | 'user-event'>(kind: RecordKind<A>, events: Decided<RecordEvent<A>>[]) {
  return ds.transaction(async (tx) => {
    const { state } = await store.append(tx, kind, undefined, uuidv7(), events, ctx);
    await store.save(tx, [state]);
    return state;
  });
}

describe('who sees which records in the lists (the readers’ SQL on real PostgreSQL)', () => {
  it('owners their own, the vet user the pets they treat and their visits, admins all, strangers nothing', async () => {
    const [owner, vetUser, other, stranger] = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    const as = (sub: string, role = 'pet_owner') => ({ sub, role });
    const rex = await create(PET_RECORD, registerPet({ ownerId: owner, name: 'Rex', species: 'dog', weightKg: 12, emergencyContact: null }));
    const bo = await create(PET_RECORD, registerPet({ ownerId: other, name: 'Bo', species: 'cat', emergencyContact: null }));
    const vet = await create(VETERINARIAN_RECORD, registerVeterinarian({ name: 'Dr Vera', clinicName: 'East', linked: { userId: vetUser, role: 'veterinarian' }, createdBy: owner }));
    const visit = await create(HEALTH_RECORD, recordHealthVisit({ caller: as(owner), pet: rex, vet, weightKg: 12, visitDate: '2026-02-01' }));
    const report = await create(LOST_PET_REPORT, reportLostPet({ pet: rex, reporterId: owner, reporterPhone: null, lastSeenLocation: 'park' }));
    const appointment = await create(USER_EVENT_RECORD, scheduleUserEvent({ userId: owner, vet, title: 'Checkup', startsAt: '2026-03-01T09:00:00Z' }));

    const ids = async (list: Promise<{ id: string }[]>) => (await list).map((r) => r.id).sort();
    const pets = new PetsReader(ds, store);
    expect(await ids(pets.visibleTo(as(owner)))).toEqual([rex.id]);
    expect(await ids(pets.visibleTo(as(vetUser, 'veterinarian')))).toEqual([rex.id]);
    expect(await ids(pets.visibleTo(as(stranger)))).toEqual([]);
    expect(await ids(pets.visibleTo(as(stranger, 'admin')))).toEqual([rex.id, bo.id].sort());

    const vets = new VeterinariansReader(ds, store);
    expect([await ids(vets.visibleTo(as(owner))), await ids(vets.visibleTo(as(vetUser))), await ids(vets.visibleTo(as(other)))]).toEqual([[vet.id], [vet.id], []]);

    const visits = new HealthRecordsReader(ds, store);
    expect([await ids(visits.visibleTo(as(owner))), await ids(visits.visibleTo(as(vetUser))), await ids(visits.visibleTo(as(other)))]).toEqual([[visit.id], [visit.id], []]);
    expect([await ids(visits.visibleTo(as(owner), rex.id)), await ids(visits.visibleTo(as(owner), bo.id))]).toEqual([[visit.id], []]);

    const reports = new LostPetReportsReader(ds, store);
    expect([await ids(reports.visibleTo(as(owner))), await ids(reports.visibleTo(as(vetUser)))]).toEqual([[report.id], []]);

    const appointments = new UserEventsReader(ds, store);
    expect([await ids(appointments.visibleTo(as(owner))), await ids(appointments.visibleTo(as(vetUser))), await ids(appointments.visibleTo(as(other, 'admin')))])
      .toEqual([[appointment.id], [], [appointment.id]]);
    // The row reads back as the record folded from its events.
    expect((await pets.visibleTo(as(owner)))[0]).toEqual(rex);
  });
});
