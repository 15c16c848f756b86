import type { EntityManager } from 'typeorm';
import type { BoundedContext, DomainEvent } from '@ripple/contracts';
import type { Projection } from '@ripple/projections';
import { directUsers, operationOf, petOf, refChanges, tableNameOf, type Refs } from './change-scope';
import { FEED_CHANNEL, FEED_WRITE_LOCK, feedProjectionName } from './feed-sources';

/**
 * One stream's events → the change feed: each event becomes one `changes` row
 * plus one audience row per user who may see it, decided from the references
 * the gateway projects itself. Generic over event types, so a stream that
 * starts carrying new events needs no change here.
 *
 * It writes fixed tables (`tables` is empty) shared by every source: a replay
 * re-derives scopes idempotently and skips changes already in the feed, whose
 * positions clients hold as cursors.
 */
export function changeFeedProjection(source: BoundedContext): Projection {
  return {
    name: feedProjectionName(source),
    source,
    tables: [],
    async apply(tx: EntityManager, events: DomainEvent[]): Promise<void> {
      // Held to commit: the next feed writer takes its positions only after these are visible.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [FEED_WRITE_LOCK]);
      for (const event of events) await record(tx, event);
      await tx.query('SELECT pg_notify($1, $2)', [FEED_CHANNEL, source]);
    },
  };
}

async function record(tx: EntityManager, event: DomainEvent): Promise<void> {
  await rememberRole(tx, event);
  const refs = await saveScope(tx, event.aggregateType, event.aggregateId, refChanges(event));
  const audience = await audienceOf(tx, event.aggregateType, event.aggregateId, refs);
  const [row] = await tx.query(
    `INSERT INTO gateway.changes (event_id, change_type, table_name, aggregate_id, aggregate_version, event_type, operation, data, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (event_id) DO NOTHING RETURNING position`,
    [event.id, event.aggregateType, tableNameOf(event.aggregateType), event.aggregateId, event.aggregateVersion, event.type, operationOf(event), JSON.stringify(event.data), event.occurredAt],
  );
  if (!row || audience.length === 0) return;
  await tx.query('INSERT INTO gateway.change_audience (user_id, position) SELECT unnest($1::uuid[]), $2', [audience, row.position]);
}

async function rememberRole(tx: EntityManager, event: DomainEvent): Promise<void> {
  const role = event.type === 'UserRegistered' ? event.data.role : event.type === 'UserRoleChanged' ? event.data.to : undefined;
  if (!role) return;
  await tx.query('INSERT INTO gateway.user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET role = EXCLUDED.role', [event.aggregateId, role]);
}

async function saveScope(tx: EntityManager, aggregateType: string, aggregateId: string, changes: Refs): Promise<Refs> {
  const [row] = await tx.query(
    `INSERT INTO gateway.scopes (aggregate_type, aggregate_id, refs) VALUES ($1, $2, $3)
     ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET refs = gateway.scopes.refs || EXCLUDED.refs RETURNING refs`,
    [aggregateType, aggregateId, JSON.stringify(changes)],
  );
  return row.refs;
}

/** The record's own users, the linked vet's user, and the people of the pet it is about (owner, emergency contact, treating vets). */
async function audienceOf(tx: EntityManager, aggregateType: string, aggregateId: string, refs: Refs): Promise<string[]> {
  const users = new Set(directUsers(aggregateType, aggregateId, refs));
  const vets = new Set(refs.vetId ? [refs.vetId] : []);
  const pet = petOf(aggregateType, aggregateId, refs);
  if (pet) {
    const [petScope] = await tx.query(`SELECT refs FROM gateway.scopes WHERE aggregate_type = 'pet' AND aggregate_id = $1`, [pet]);
    if (petScope) for (const u of directUsers('pet', pet, petScope.refs)) users.add(u);
    const treating = await tx.query(`SELECT DISTINCT refs->>'vetId' AS vet FROM gateway.scopes WHERE refs->>'petId' = $1 AND refs->>'vetId' IS NOT NULL AND aggregate_type = 'health-record'`, [pet]);
    for (const t of treating) vets.add(t.vet);
  }
  if (vets.size > 0) {
    const vetUsers = await tx.query(`SELECT refs->>'userId' AS user_id FROM gateway.scopes WHERE aggregate_type = 'veterinarian' AND aggregate_id = ANY($1::text[]) AND refs->>'userId' IS NOT NULL`, [[...vets]]);
    for (const v of vetUsers) users.add(v.user_id);
  }
  return [...users];
}
