import type { EntityManager } from 'typeorm';
import type { SyncOperation } from './sync-target';

/**
 * Everything a user's data reaches, as force sync operations (the document's
 * `sync_all_user_data_comprehensive`): the copies of their profile, each pet
 * they own, and each veterinarian record they added or are linked to (which
 * reaches every health record and appointment with that vet).
 */
export async function fullSyncOperations(tx: EntityManager, userId: string): Promise<SyncOperation[]> {
  const pets: { id: string; name: string }[] = await tx.query('SELECT id, name FROM pets.pets WHERE owner_id = $1 ORDER BY id', [userId]);
  const vets: { id: string; name: string }[] = await tx.query('SELECT id, name FROM pets.veterinarians WHERE created_by = $1 OR user_id = $1 ORDER BY id', [userId]);
  return [
    { type: 'user_profile', targetId: userId, label: 'Profile' },
    ...pets.map((p): SyncOperation => ({ type: 'pet_data', targetId: p.id, label: `Pet ${p.name}` })),
    ...vets.map((v): SyncOperation => ({ type: 'veterinarian', targetId: v.id, label: `Veterinarian ${v.name}` })),
  ];
}
