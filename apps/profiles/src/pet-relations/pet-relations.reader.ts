import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The pets a user is one of the people of: owner, emergency contact, or the user of a vet with a health record for it. */
const PETS_OF = (param: string) => `
  SELECT aggregate_id::text AS pet FROM profiles.pet_relations
   WHERE aggregate_type = 'pet' AND (refs->>'ownerId' = ${param} OR refs->>'emergencyContactUserId' = ${param})
  UNION
  SELECT h.refs->>'petId' FROM profiles.pet_relations v
    JOIN profiles.pet_relations h ON h.aggregate_type = 'health-record' AND h.refs->>'vetId' = v.aggregate_id::text
   WHERE v.aggregate_type = 'veterinarian' AND v.refs->>'userId' = ${param}`;

/**
 * Whether two users are related: people of a common pet (the same people the
 * gateway's change feed shows that pet's changes to). Read from this service's
 * own projection of the pets stream, so it follows the pets service's changes.
 */
@Injectable()
export class PetRelations {
  constructor(private readonly dataSource: DataSource) {}

  async related(a: string, b: string): Promise<boolean> {
    // Parenthesized: INTERSECT binds tighter than the UNION inside each side.
    const [row] = await this.dataSource.query(`SELECT EXISTS ((${PETS_OF('$1')}) INTERSECT (${PETS_OF('$2')})) AS related`, [a, b]);
    return row.related === true;
  }
}
