import type { EntityManager } from 'typeorm';
import { AUDIENCE_AGGREGATES, type DomainEvent } from '@ripple/contracts';
import { notifyAfterCommit } from '@ripple/event-store';
import type { DeferredWrite, Speculation, Statement, StatementRows } from '@ripple/projections';
import { FEED_CHANNEL } from './feed-sources';
import { directUsers, operationOf, petOf, refChanges, tableNameOf, TREATMENT, userOfVet, vetOf, type Refs } from './change-scope';
import type { FeedRow } from './feed-reader';

type Key = string;
export type ScopeRow = { aggregate_type: string; aggregate_id: string; refs: Refs };
const SCOPES_SELECT = 'SELECT aggregate_type, aggregate_id, refs FROM gateway.scopes';
/** A record's key among scopes held in memory. */
export const scopeKey = (aggregateType: string, aggregateId: string): Key => `${aggregateType}\u0000${aggregateId}`;
const TREATMENT_PREFIX = scopeKey(TREATMENT.aggregate, '');

/**
 * The scopes a batch reads and writes, in memory: loaded once from the
 * database, updated event by event in stream order, so each event's audience
 * is decided on the scopes as they stood right after it, as if the events were
 * written one at a time.
 */
class Scopes {
  private readonly refs = new Map<Key, Refs>();
  readonly touched = new Set<Key>();

  constructor(private readonly tx: EntityManager) {}

  get(aggregateType: string, aggregateId: string): Refs | undefined {
    return this.refs.get(scopeKey(aggregateType, aggregateId));
  }

  merge(aggregateType: string, aggregateId: string, changes: Refs): Refs {
    const k = scopeKey(aggregateType, aggregateId);
    const current = this.refs.get(k);
    // Most events change no reference: their scope is written only the first time it is seen.
    if (current && Object.entries(changes).every(([f, v]) => current[f as keyof Refs] === v)) return current;
    const next = { ...(current ?? {}), ...changes };
    this.refs.set(k, next);
    this.touched.add(k);
    return next;
  }

  /** The vets of a pet's treatment records (health records). */
  treatingVets(petId: string): string[] {
    const vets: string[] = [];
    for (const [k, refs] of this.refs) {
      const vet = refs[TREATMENT.vet];
      if (k.startsWith(TREATMENT_PREFIX) && refs[TREATMENT.pet] === petId && vet) vets.push(vet);
    }
    return vets;
  }

  async load(where: string, params: unknown[]): Promise<void> {
    this.add(await this.tx.query(`${SCOPES_SELECT} WHERE ${where}`, params));
  }

  add(rows: ScopeRow[]): void {
    for (const r of rows) {
      const k = scopeKey(r.aggregate_type, r.aggregate_id);
      if (!this.refs.has(k)) this.refs.set(k, r.refs);
    }
  }

  /** The scopes of the records `events` are about. */
  of(events: DomainEvent[]): ScopeRow[] {
    const rows = new Map<Key, ScopeRow>();
    for (const e of events) {
      const refs = this.get(e.aggregateType, e.aggregateId);
      if (refs) rows.set(scopeKey(e.aggregateType, e.aggregateId), { aggregate_type: e.aggregateType, aggregate_id: e.aggregateId, refs });
    }
    return [...rows.values()];
  }

  /** The upsert of the scopes that changed, if any. */
  saveStatement(): Statement | undefined {
    if (!this.touched.size) return undefined;
    const rows = [...this.touched].map((k) => {
      const [aggregate_type, aggregate_id] = k.split('\u0000');
      return { aggregate_type, aggregate_id, refs: this.refs.get(k) };
    });
    return {
      text: `INSERT INTO gateway.scopes (aggregate_type, aggregate_id, refs)
       SELECT aggregate_type, aggregate_id, refs FROM jsonb_to_recordset($1::jsonb) AS x(aggregate_type text, aggregate_id text, refs jsonb)
       ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET refs = EXCLUDED.refs`,
      values: [JSON.stringify(rows)],
    };
  }
}

/**
 * Writes a batch of events to the feed in a constant number of statements:
 * load the scopes it needs, decide every event's audience in memory; the
 * writes it returns, for the batch's COMMIT, insert the changes (positions in
 * stream order) with their audiences, and the roles and scopes that changed.
 * Notifies FEED_CHANNEL with `source` after commit.
 */
export async function writeFeedBatch(tx: EntityManager, events: DomainEvent[], source: string, read: StatementRows = [], remember?: RememberScopes): Promise<DeferredWrite[]> {
  return feedWrites(tx, events, source, await loadScopes(tx, events, read[0] as ScopeRow[] | undefined), remember);
}

/** Hears, once a batch committed, the scopes of its records as they now stand in the database. */
export type RememberScopes = (rows: ScopeRow[]) => void;

/**
 * The same writes decided from `known` (the scopes of the batch's records as a feed
 * projection last saw them commit), for a batch that sends everything in one round trip
 * (Projection.speculate), with the condition that they still stand so in the database.
 * Undefined when a record's scope is not known, or when an event concerns a pet or a vet
 * (their people are read from other records' scopes).
 */
export function speculateFeedBatch(
  tx: EntityManager, events: DomainEvent[], source: string, known: (aggregateType: string, aggregateId: string) => Refs | undefined, remember?: RememberScopes,
): Speculation | undefined {
  const scopes = new Scopes(tx);
  const rows: ScopeRow[] = [];
  for (const e of events) {
    if (scopes.get(e.aggregateType, e.aggregateId)) continue;
    const refs = known(e.aggregateType, e.aggregateId);
    if (!refs) return undefined;
    const row = { aggregate_type: e.aggregateType, aggregate_id: e.aggregateId, refs };
    rows.push(row);
    scopes.add([row]);
  }
  const preview = new Map<Key, Refs>();
  for (const e of events) {
    const k = scopeKey(e.aggregateType, e.aggregateId);
    const refs = { ...(preview.get(k) ?? scopes.get(e.aggregateType, e.aggregateId)), ...refChanges(e) };
    preview.set(k, refs);
    if (petOf(e.aggregateType, e.aggregateId, refs) || vetOf(e.aggregateType, refs)) return undefined;
  }
  return {
    // Every record's scope as remembered (jsonb equality: key order and spacing do not matter).
    holds: {
      text: `NOT EXISTS (SELECT 1 FROM jsonb_to_recordset($1::jsonb) AS k(aggregate_type text, aggregate_id text, refs jsonb)
        LEFT JOIN gateway.scopes s ON s.aggregate_type = k.aggregate_type AND s.aggregate_id = k.aggregate_id
        WHERE s.refs IS DISTINCT FROM k.refs)`,
      values: [JSON.stringify(rows)],
    },
    writes: feedWrites(tx, events, source, scopes, remember),
  };
}

function feedWrites(tx: EntityManager, events: DomainEvent[], source: string, scopes: Scopes, remember?: RememberScopes): DeferredWrite[] {
  const rows = events.map((event, seq) => {
    const refs = scopes.merge(event.aggregateType, event.aggregateId, refChanges(event));
    return { seq, event, audience: audienceOf(scopes, event.aggregateType, event.aggregateId, refs) };
  });
  // The changes and their audiences in one statement: positions are taken in stream order (seq).
  // It also returns the highest position before them: this batch holds FEED_WRITE_LOCK, and every
  // part of the statement sees the same snapshot, so that is the feed's head when the batch began.
  const records = rows.map(({ seq, event: e }) => ({
    seq, event_id: e.id, change_type: e.aggregateType, table_name: tableNameOf(e.aggregateType), aggregate_id: e.aggregateId,
    aggregate_version: e.aggregateVersion, event_type: e.type, operation: operationOf(e), data: e.data, occurred_at: e.occurredAt, traceparent: e.traceparent,
  }));
  const changes: DeferredWrite = {
    text: `WITH ins AS (
       INSERT INTO gateway.changes (event_id, change_type, table_name, aggregate_id, aggregate_version, event_type, operation, data, occurred_at, traceparent)
       SELECT event_id, change_type, table_name, aggregate_id, aggregate_version, event_type, operation, data, occurred_at, traceparent
       FROM jsonb_to_recordset($1::jsonb) AS x(seq int, event_id uuid, change_type text, table_name text, aggregate_id text, aggregate_version int,
         event_type text, operation text, data jsonb, occurred_at timestamptz, traceparent text)
       ORDER BY seq
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id, position, recorded_at
     ), aud AS (
       INSERT INTO gateway.change_audience (user_id, position)
       SELECT a.user_id, ins.position FROM ins JOIN unnest($2::uuid[], $3::uuid[]) AS a(event_id, user_id) ON a.event_id = ins.event_id
     )
     SELECT ins.event_id, ins.position, ins.recorded_at, (SELECT coalesce(max(position), 0) FROM gateway.changes) AS previous
     FROM ins ORDER BY ins.position`,
    values: [
      JSON.stringify(records),
      rows.flatMap(({ event, audience }) => audience.map(() => event.id)),
      rows.flatMap(({ audience }) => audience),
    ],
    // Once committed, a notification wakes every gateway instance's readers; this instance's take the rows as written.
    returned: (inserted) => {
      remember?.(scopes.of(events));
      const written = committedRows(records, rows, inserted as InsertedChange[]);
      notifyAfterCommit(tx, FEED_CHANNEL, written ? `${source}:${written.upTo}` : source, written);
    },
  };
  return [...roleStatements(events), scopes.saveStatement(), changes].filter((w): w is DeferredWrite => w !== undefined);
}

type InsertedChange = { event_id: string; position: string; recorded_at: Date | string; previous: string };

/** A feed batch's rows as committed, handed to this instance's tail (FeedTail.offer) after COMMIT. */
export interface CommittedFeedRows {
  /** The feed's head before these rows. */
  previous: number;
  upTo: number;
  rows: { row: FeedRow; audience: string[] }[];
}

function committedRows(
  records: { event_id: string; change_type: string; table_name: string; aggregate_id: string; aggregate_version: number; event_type: string; operation: string; data: unknown; occurred_at: string; traceparent?: string }[],
  rows: { event: DomainEvent; audience: string[] }[],
  inserted: InsertedChange[],
): CommittedFeedRows | undefined {
  if (inserted.length === 0) return undefined;
  const byId = new Map(records.map((r, i) => [r.event_id, { record: r, audience: rows[i].audience }]));
  const written = inserted.map(({ event_id, position, recorded_at }) => {
    const { record: r, audience } = byId.get(event_id)!;
    const row: FeedRow = {
      position: Number(position), eventId: r.event_id, changeType: r.change_type, tableName: r.table_name, recordId: r.aggregate_id,
      aggregateVersion: r.aggregate_version, eventType: r.event_type, operation: r.operation, data: r.data, occurredAt: new Date(r.occurred_at).toISOString(), recordedAt: new Date(recorded_at),
      traceparent: r.traceparent,
    };
    return { row, audience };
  });
  return { previous: Number(inserted[0].previous), upTo: written[written.length - 1].row.position, rows: written };
}

/** The statement that reads the scopes of the batch's own records (run with the batch's BEGIN: see the projection's `reads`). */
export function batchScopesStatement(events: DomainEvent[]): Statement {
  const byType = new Map<string, Set<string>>();
  for (const e of events) (byType.get(e.aggregateType) ?? byType.set(e.aggregateType, new Set()).get(e.aggregateType)!).add(e.aggregateId);
  const types = [...byType.keys()];
  return {
    text: `${SCOPES_SELECT} WHERE (aggregate_type, aggregate_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    values: [types.flatMap((t) => [...byType.get(t)!].map(() => t)), types.flatMap((t) => [...byType.get(t)!])],
  };
}

/** Loads the scopes of the batch's records (unless already `read`), then of the pets, health records and vets they lead to. */
async function loadScopes(tx: EntityManager, events: DomainEvent[], read?: ScopeRow[]): Promise<Scopes> {
  const scopes = new Scopes(tx);
  const own = batchScopesStatement(events);
  scopes.add(read ?? (await tx.query(own.text, [...own.values!])));
  // What the batch's records point at, with the batch's own changes folded in.
  const pets = new Set<string>();
  const vets = new Set<string>();
  const preview = new Map<Key, Refs>();
  for (const e of events) {
    const k = scopeKey(e.aggregateType, e.aggregateId);
    const refs = { ...(preview.get(k) ?? scopes.get(e.aggregateType, e.aggregateId) ?? {}), ...refChanges(e) };
    preview.set(k, refs);
    const pet = petOf(e.aggregateType, e.aggregateId, refs);
    if (pet) pets.add(pet);
    const vet = vetOf(e.aggregateType, refs);
    if (vet) vets.add(vet);
  }
  if (pets.size) {
    await scopes.load(`aggregate_type = $2 AND aggregate_id = ANY($1::text[])`, [[...pets], AUDIENCE_AGGREGATES.pet]);
    // The field name is a literal so the partial index on it (scopes_pet_idx) serves this.
    await scopes.load(`aggregate_type = $2 AND refs ? '${TREATMENT.pet}' AND refs->>'${TREATMENT.pet}' = ANY($1::text[])`, [[...pets], TREATMENT.aggregate]);
    for (const pet of pets) for (const vet of scopes.treatingVets(pet)) vets.add(vet);
  }
  if (vets.size) await scopes.load(`aggregate_type = $2 AND aggregate_id = ANY($1::text[])`, [[...vets], AUDIENCE_AGGREGATES.vet]);
  return scopes;
}

/** The record's own users, the linked vet's user, and the people of the pet it is about (owner, emergency contact, treating vets). */
function audienceOf(scopes: Scopes, aggregateType: string, aggregateId: string, refs: Refs): string[] {
  const users = new Set(directUsers(aggregateType, aggregateId, refs));
  const vet = vetOf(aggregateType, refs);
  const vets = new Set(vet ? [vet] : []);
  const pet = petOf(aggregateType, aggregateId, refs);
  if (pet) {
    const petRefs = scopes.get(AUDIENCE_AGGREGATES.pet, pet);
    if (petRefs) for (const u of directUsers(AUDIENCE_AGGREGATES.pet, pet, petRefs)) users.add(u);
    for (const vet of scopes.treatingVets(pet)) vets.add(vet);
  }
  for (const vet of vets) {
    const vetRefs = scopes.get(AUDIENCE_AGGREGATES.vet, vet);
    const userId = vetRefs && userOfVet(vetRefs);
    if (userId) users.add(userId);
  }
  return [...users];
}

/** Each user's role and token version, as the gateway needs them to authorize: the latest of the batch. */
function roleStatements(events: DomainEvent[]): Statement[] {
  const roles = new Map<string, string>();
  const tokenVersions = new Map<string, number>();
  for (const e of events) {
    const role = e.type === 'UserRegistered' ? e.data.role : e.type === 'UserRoleChanged' ? e.data.to : undefined;
    if (role) roles.set(e.aggregateId, role);
    if (e.type === 'UserTokensRevoked') tokenVersions.set(e.aggregateId, e.data.tokenVersion);
  }
  const statements: Statement[] = [];
  if (roles.size) {
    statements.push({
      text: 'INSERT INTO gateway.user_roles (user_id, role) SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT (user_id) DO UPDATE SET role = EXCLUDED.role',
      values: [[...roles.keys()], [...roles.values()]],
    });
  }
  if (tokenVersions.size) {
    statements.push({
      text: `UPDATE gateway.user_roles r SET token_version = greatest(r.token_version, v.token_version)
       FROM unnest($1::uuid[], $2::int[]) AS v(user_id, token_version) WHERE r.user_id = v.user_id`,
      values: [[...tokenVersions.keys()], [...tokenVersions.values()]],
    });
  }
  return statements;
}
