import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { CausationContext, EventEnvelope } from '@ripple/contracts';
import { isAdmin, type Caller } from '../access/access';
import { RecordAccess } from '../access/record-access';
import { RecordNotFoundError } from '../pets.errors';
import { CopySync } from '../copies/copy-sync';
import type { SyncOperation } from './sync-target';

/**
 * Force sync: re-derives every copy that depends on one user, pet or vet from
 * current truth, with the same rules the reactors use. Changes are `…Synced`
 * events marked forced, so they are published and land in the sync log.
 */
@Injectable()
export class ForceSync {
  constructor(private readonly dataSource: DataSource, private readonly copies: CopySync, private readonly access: RecordAccess) {}

  async run(caller: Caller, op: SyncOperation, ctx: CausationContext) {
    const events = await this.dataSource.transaction((tx) => this.derive(tx, caller, op, () => ctx));
    return {
      type: op.type, targetId: op.targetId, changed: events.length,
      changes: events.map((e) => ({ eventId: e.id, type: e.type, recordType: e.aggregateType, recordId: e.aggregateId, changes: (e.data as { changes: unknown }).changes })),
    };
  }

  private async derive(tx: EntityManager, caller: Caller, op: SyncOperation, cause: () => CausationContext): Promise<EventEnvelope[]> {
    switch (op.type) {
      case 'user_profile': {
        const [known] = await tx.query('SELECT 1 FROM pets.user_contacts WHERE user_id = $1', [op.targetId]);
        if (!known || (!isAdmin(caller) && caller.sub !== op.targetId)) throw new RecordNotFoundError('user', op.targetId);
        return this.copies.forUsers(tx, [op.targetId], cause, true);
      }
      case 'pet_data': {
        const pet = await this.access.pet(caller, op.targetId, tx);
        const reporters = await tx.query('SELECT DISTINCT reporter_id FROM pets.lost_pets WHERE pet_id = $1', [pet.id]);
        const users = [pet.fields.emergencyContactUserId, ...reporters.map((r: { reporter_id: string }) => r.reporter_id)].filter((u): u is string => !!u);
        const contacts = await this.copies.forUsers(tx, [...new Set(users)].sort(), cause, true);
        return [...(await this.copies.forPetWeights(tx, [pet.id], cause, true)), ...contacts];
      }
      case 'veterinarian': {
        const vet = await this.access.vet(caller, op.targetId, tx);
        const linked = vet.fields.userId ? await this.copies.forUsers(tx, [vet.fields.userId], cause, true) : [];
        return [...linked, ...(await this.copies.forVets(tx, [vet.id], cause, true))];
      }
      default: {
        const never: never = op.type;
        throw new Error(`unknown sync target ${never}`);
      }
    }
  }
}
