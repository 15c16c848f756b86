import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createCheckpointTable, createDeadLetterTable } from '@ripple/projections';

/**
 * The references of the pets service's records that relate people (a pet's owner
 * and emergency contact, a health record's pet and vet, a vet's user): who may
 * see whose private profile fields follows from them.
 */
export class CreatePetRelations1732240000051 implements MigrationInterface {
  name = 'CreatePetRelations1732240000051';

  async up(qr: QueryRunner): Promise<void> {
    await createDeadLetterTable(qr, 'profiles');
    await createCheckpointTable(qr, 'profiles', 'pet-relations');
    await qr.query(`
      CREATE TABLE profiles.pet_relations (
        aggregate_type text NOT NULL,
        aggregate_id   uuid NOT NULL,
        refs           jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (aggregate_type, aggregate_id)
      )`);
    await qr.query(`CREATE INDEX pet_relations_owner_idx ON profiles.pet_relations ((refs->>'ownerId')) WHERE aggregate_type = 'pet'`);
    await qr.query(`CREATE INDEX pet_relations_contact_idx ON profiles.pet_relations ((refs->>'emergencyContactUserId')) WHERE aggregate_type = 'pet'`);
    await qr.query(`CREATE INDEX pet_relations_vet_user_idx ON profiles.pet_relations ((refs->>'userId')) WHERE aggregate_type = 'veterinarian'`);
    await qr.query(`CREATE INDEX pet_relations_vet_idx ON profiles.pet_relations ((refs->>'vetId')) WHERE aggregate_type = 'health-record'`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE profiles.pet_relations');
    await qr.query('DROP TABLE profiles.pet_relations__checkpoints');
    await qr.query('DROP TABLE profiles.dead_letters');
  }
}
