import { DataSource } from 'typeorm';
import { uuidv7, type DomainEvent } from '@ripple/contracts';
import { applyBatch, liveTables } from '@ripple/projections';
import { createTestDatabase, type TestDatabase } from '@ripple/testing';
import { CreatePetRelations1732240000051 } from '../migrations/1732240000051-create-pet-relations';
import { PetRelationsProjection } from './pet-relations.projection';
import { PetRelations } from './pet-relations.reader';

let db: TestDatabase;
let ds: DataSource;
let relations: PetRelations;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = new DataSource({ type: 'postgres', url: db.url, schema: 'profiles', migrationsTableName: 'migrations', migrations: [CreatePetRelations1732240000051], extra: { max: 4 } });
  await ds.initialize();
  await ds.query('CREATE SCHEMA profiles');
  await ds.runMigrations();
  relations = new PetRelations(ds);
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const versions = new Map<string, number>();
function event(type: string, aggregateType: string, aggregateId: string, data: Record<string, unknown>): DomainEvent {
  const version = (versions.get(aggregateId) ?? 0) + 1;
  versions.set(aggregateId, version);
  const id = uuidv7();
  return { id, type, schemaVersion: 1, aggregateType, aggregateId, aggregateVersion: version, occurredAt: new Date().toISOString(), correlationId: id, causationId: id, actor: 'test', data } as unknown as DomainEvent;
}
const apply = (events: DomainEvent[]) =>
  ds.transaction((tx) => applyBatch(tx, 'profiles', new PetRelationsProjection(), events, liveTables('profiles'), { respectDeadLetters: true, mode: 'live' }));

/** Every pair of `users`, as the relation sees it: "a-b" for each related pair. */
async function relatedPairs(users: Record<string, string>): Promise<string[]> {
  const names = Object.keys(users);
  const pairs: string[] = [];
  for (const a of names) for (const b of names) if (a < b && (await relations.related(users[a], users[b]))) pairs.push(`${a}-${b}`);
  return pairs.sort();
}

describe('pet relations', () => {
  it('relates the people of a common pet (owner, emergency contact, treating vets\' users) and no one else, as the references change', async () => {
    const users = { owner: uuidv7(), contact: uuidv7(), vetUser: uuidv7(), otherOwner: uuidv7(), stranger: uuidv7() };
    const [pet, otherPet, vet, record] = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    await apply([
      event('PetRegistered', 'pet', pet, { ownerId: users.owner, name: 'Rex', species: 'dog', breed: null, weightKg: null, emergencyContactUserId: users.contact, emergencyContactName: 'C', emergencyContactPhone: '1' }),
      event('PetRegistered', 'pet', otherPet, { ownerId: users.otherOwner, name: 'Tom', species: 'cat', breed: null, weightKg: null, emergencyContactUserId: null, emergencyContactName: null, emergencyContactPhone: null }),
      event('VeterinarianRegistered', 'veterinarian', vet, { name: 'Dr V', clinicName: 'Clinic', phone: null, email: null, userId: users.vetUser, createdBy: users.owner }),
    ]);
    // A vet record alone relates nobody: a health record for a pet does.
    expect(await relatedPairs(users)).toEqual(['contact-owner']);

    await apply([event('HealthRecordRecorded', 'health-record', record, { petId: pet, vetId: vet, clinicName: 'Clinic', vetPhone: null, weightKg: null, visitDate: '2026-01-01', notes: '' })]);
    expect(await relatedPairs(users)).toEqual(['contact-owner', 'contact-vetUser', 'owner-vetUser']);

    // The contact is removed and the pet changes hands, in one batch; the vet's user link goes.
    await apply([
      event('PetUpdated', 'pet', pet, { changes: { emergencyContactUserId: null }, previous: { emergencyContactUserId: users.contact }, unconditional: true }),
      event('PetUpdated', 'pet', pet, { changes: { ownerId: users.otherOwner }, previous: { ownerId: users.owner }, unconditional: true }),
    ]);
    expect(await relatedPairs(users)).toEqual(['otherOwner-vetUser']);
    await apply([event('VeterinarianUpdated', 'veterinarian', vet, { changes: { userId: null }, previous: { userId: users.vetUser }, unconditional: true })]);
    expect(await relatedPairs(users)).toEqual([]);
  });
});
