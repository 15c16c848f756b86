import type { EntityManager } from 'typeorm';
import { GALLERA_AGGREGATE, VENUE_AGGREGATE, type DomainEvent, type ProfilesEvent, type VenuesEvent } from '@ripple/contracts';
import { EventStore, type AppendRequest } from '@ripple/event-store';
import { liveTables, type ApplyMode, type DeferredWrite, type Projection, type ReplayFold, type Speculation, type Statement, type StatementRows, type TableMap } from '@ripple/projections';
import { BatchProjection } from '@ripple/service-host';
import { businessSynced, evolveDirectory, type DirectoryEntry, type Gallera, type OwnerProfile, type Venue } from './business-from-profile';

const BUSINESS_COLUMNS = `id uuid, owner_id uuid, name text, location text, description text, contact_info jsonb,
  created_at timestamptz, updated_at timestamptz, last_event_id uuid, last_event_type text, version int`;

/**
 * Profiles → venues and galleras. A batch costs two round trips: read the
 * entries of every user in it (with the BEGIN), fold the events in memory with
 * the pure rules, and write back only what changed, with the events it causes,
 * in the COMMIT's round trip; one, when this instance remembers every user's
 * entry as it committed (see speculate).
 *
 * What it remembers of a user is the entry and, for each of its rows, the
 * transaction that last wrote it (the row's `xmin`). A row that still has that
 * `xmin` holds what this instance remembers; any other writer (another instance,
 * a replay's swap, a hand edit) leaves another. So a batch checks row versions,
 * not rows, and reads only the entries of users it does not remember or whose
 * rows moved.
 */
@BatchProjection()
export class VenueDirectoryProjection implements Projection {
  readonly name = 'venue-directory';
  readonly source = 'profiles' as const;
  readonly tables = ['owner_profiles', 'venues', 'galleras'];
  // Its rows and the events it appends are keyed by the batch's users.
  readonly disjointBatches = true;

  /** Its live venues table: a batch into other tables (a replay's catch-up, into its shadows) reads every entry. */
  private readonly liveVenues: string;

  constructor(private readonly store: EventStore) {
    this.liveVenues = liveTables(store.schema)('venues');
  }

  // Read with the batch's BEGIN: which remembered users' rows are still as remembered, and the entries of the others.
  reads(events: DomainEvent[], t: TableMap): Statement[] {
    const ids = userIdsOf(events);
    if (!ids.length) return [];
    const remembered = t('venues') === this.liveVenues ? ids.filter((id) => this.remembered.has(id)) : [];
    const others = remembered.length ? ids.filter((id) => !this.remembered.has(id)) : ids;
    return [
      { text: unmovedUsers(t), values: [versionsJson(remembered.map((id) => [id, this.remembered.get(id)!.rows]))] },
      { text: loadStatement(t), values: [others] },
    ];
  }

  async apply(tx: EntityManager, events: DomainEvent[], t: TableMap, mode: ApplyMode, read: StatementRows): Promise<DeferredWrite[]> {
    const userEvents = events.filter((e): e is ProfilesEvent => e.aggregateType === 'user');
    if (userEvents.length === 0) return [];
    const ids = userIdsOf(userEvents);
    const [unmoved = [], loaded = []] = read as [VersionRow[]?, EntryRow[]?];
    const before = new Map<string, Known>(loaded.map((row) => [row.id, knownOf(row)]));
    // A remembered user whose rows were found as remembered (the same versions, checked under the lock).
    for (const row of unmoved) {
      const known = this.remembered.get(row.id);
      if (known && sameVersions(known.rows, row)) before.set(row.id, known);
    }
    const missing = ids.filter((id) => !before.has(id));
    if (missing.length) for (const row of (await tx.query(loadStatement(t), [missing])) as EntryRow[]) before.set(row.id, knownOf(row));
    // What was read is committed: the next batch of these users may go on it (see speculate).
    if (mode === 'live') for (const id of ids) this.remember(id, before.get(id)!);
    return this.fold(tx, userEvents, t, mode, before);
  }

  // A live batch of users whose entries this instance saw commit is written in one round trip, on the
  // condition that their rows are still the versions it remembers (a replay's swap, say, may have moved them).
  speculate(tx: EntityManager, events: DomainEvent[], t: TableMap): Speculation | undefined {
    const userEvents = events.filter((e): e is ProfilesEvent => e.aggregateType === 'user');
    if (userEvents.length === 0) return { writes: [] };
    const before = new Map<string, Known>();
    for (const id of userIdsOf(userEvents)) {
      const known = this.remembered.get(id);
      if (!known) return undefined;
      before.set(id, known);
    }
    const holds = { text: `NOT EXISTS (${movedUsers(t)})`, values: [versionsJson([...before].map(([id, known]) => [id, known.rows]))] };
    return { holds, writes: this.fold(tx, userEvents, t, 'live', before) };
  }

  /** The rows and events `userEvents` lead to from the entries `before`; once committed, live entries are remembered. */
  private fold(tx: EntityManager, userEvents: ProfilesEvent[], t: TableMap, mode: ApplyMode, known: Map<string, Known>): DeferredWrite[] {
    const before = new Map([...known].map(([id, k]) => [id, k.entry]));
    const after = new Map(before);
    const published: AppendRequest<VenuesEvent>[] = [];
    // Replay rebuilds rows only: the events a live apply published are already in the stream.
    const live = mode === 'live';
    for (const e of userEvents) {
      const previous = after.get(e.aggregateId) ?? {};
      const next = evolveDirectory(previous, e);
      after.set(e.aggregateId, next);
      if (live) published.push(...syncedEvents(e, previous, next));
    }
    // A record the batch changed, so writes (and, once committed, of its transaction's version).
    const wrote = (id: string, entry: DirectoryEntry, k: keyof DirectoryEntry) => entry[k] !== undefined && entry[k] !== before.get(id)?.[k];
    const changed = <K extends keyof DirectoryEntry>(k: K) => [...after.entries()].filter(([id, entry]) => wrote(id, entry, k)).map(([, entry]) => entry[k]!);
    const save = saveEntries(t, changed);
    const append = live ? this.store.appendLater(tx, published) : undefined;
    // Once committed, the rows it wrote are of its transaction (`xid`), the others as they were.
    if (live && save) {
      save.returned = ([{ xid }]) => {
        for (const [id, entry] of after) {
          const { rows } = known.get(id)!;
          const version = (k: keyof DirectoryEntry, was: string | null) => (wrote(id, entry, k) ? (xid as string) : was);
          this.remember(id, { entry, rows: { p: version('profile', rows.p), v: version('venue', rows.v), g: version('gallera', rows.g) } });
        }
      };
    }
    return [append, save].filter((w): w is DeferredWrite => w !== undefined);
  }

  /** The entries of the users of the latest live batches, as committed (most recent last), with their rows' versions. */
  private readonly remembered = new Map<string, Known>();

  private remember(userId: string, known: Known): void {
    this.remembered.delete(userId);
    this.remembered.set(userId, known);
    if (this.remembered.size > REMEMBERED_ENTRIES) this.remembered.delete(this.remembered.keys().next().value!);
  }

  // A rebuild folds the same rules in memory, one entry per user, and writes each changed user's rows.
  replayFold(): ReplayFold {
    const entries = new Map<string, DirectoryEntry>();
    let changed = new Set<string>();
    return {
      add(e) {
        if (e.aggregateType !== 'user') return;
        entries.set(e.aggregateId, evolveDirectory(entries.get(e.aggregateId) ?? {}, e as ProfilesEvent));
        changed.add(e.aggregateId);
      },
      flush(t) {
        const written = [...changed].map((id) => entries.get(id)!);
        changed = new Set();
        const present = <K extends keyof DirectoryEntry>(k: K) => written.flatMap((entry) => (entry[k] ? [entry[k]!] : []));
        // A statement per table: the replay writes them side by side.
        return upsertsOf(t, present).flatMap((u) => saveAll([u]) ?? []);
      },
    };
  }
}

/** Users whose entries the directory remembers: beyond them a batch reads first, as before. */
const REMEMBERED_ENTRIES = 50_000;

/**
 * A user's rows by the transaction that last wrote each (its `xmin`, as text), null where there is
 * none. Only the transaction that wrote a row version has its xid, and every write of a row (an
 * update too) makes a new version, so a row with the xmin remembered is the row remembered. (xids
 * are 32 bits and come round after about four billion transactions: a row rewritten by exactly the
 * remembered one's namesake, while this instance kept that user, is the one case it would miss.)
 */
interface RowVersions {
  p: string | null;
  v: string | null;
  g: string | null;
}

/** A user's entry as this instance saw it commit, and its rows' versions. */
interface Known {
  entry: DirectoryEntry;
  rows: RowVersions;
}

type VersionRow = RowVersions & { id: string };

const sameVersions = (a: RowVersions, b: RowVersions) => a.p === b.p && a.v === b.v && a.g === b.g;

/** $1 of movedUsers and unmovedUsers: each user with the row versions it is checked against. */
const versionsJson = (users: [string, RowVersions][]) => JSON.stringify(users.map(([id, r]) => ({ user_id: id, p: r.p, v: r.v, g: r.g })));

/** Of the users given in $1 (versionsJson), those with a row of another version, or one more or one fewer. */
const usersWhere = (t: TableMap, moved: boolean) => {
  const differs = (table: string, key: string, field: string) => `(SELECT r.xmin::text FROM ${table} r WHERE r.${key} = k.user_id) IS DISTINCT FROM k.${field}`;
  const test = `${differs(t('owner_profiles'), 'user_id', 'p')} OR ${differs(t('venues'), 'owner_id', 'v')} OR ${differs(t('galleras'), 'owner_id', 'g')}`;
  return `SELECT k.user_id AS id, k.p, k.v, k.g FROM jsonb_to_recordset($1::jsonb) AS k(user_id uuid, p text, v text, g text) WHERE ${moved ? test : `NOT (${test})`}`;
};
const movedUsers = (t: TableMap) => usersWhere(t, true);
/** The users given whose rows are all the versions given (VersionRow). */
const unmovedUsers = (t: TableMap) => usersWhere(t, false);

/** One VenueSynced / GalleraSynced per changed record, caused by the profile event; appended with the rows (outbox). */
function syncedEvents(cause: ProfilesEvent, before: DirectoryEntry, after: DirectoryEntry): AppendRequest<VenuesEvent>[] {
  const context = { correlationId: cause.correlationId, causationId: cause.id, actor: 'service:venues', traceparent: cause.traceparent };
  const now = new Date(cause.occurredAt);
  const out: AppendRequest<VenuesEvent>[] = [];
  const venue = businessSynced(before.venue, after.venue);
  if (venue) out.push({ aggregateType: VENUE_AGGREGATE, aggregateId: after.venue!.id, expectedVersion: after.venue!.version - 1, events: [{ type: 'VenueSynced', data: venue }], context, now });
  const gallera = businessSynced(before.gallera, after.gallera);
  if (gallera) out.push({ aggregateType: GALLERA_AGGREGATE, aggregateId: after.gallera!.id, expectedVersion: after.gallera!.version - 1, events: [{ type: 'GalleraSynced', data: gallera }], context, now });
  return out;
}

const userIdsOf = (events: DomainEvent[]) => [...new Set(events.filter((e) => e.aggregateType === 'user').map((e) => e.aggregateId))];

/** A row as loadStatement reads it: its version (xmin) and its columns. */
type Versioned = [string, Record<string, any>] | null;
type EntryRow = { id: string; p: Versioned; v: Versioned; g: Versioned };

/** The directory entries of the users $1, in one statement: each user's profile, venue and gallera rows as JSON, with their versions. */
const loadStatement = (t: TableMap) =>
  `SELECT u.id,
     (SELECT jsonb_build_array(p.xmin::text, to_jsonb(p)) FROM ${t('owner_profiles')} p WHERE p.user_id = u.id) AS p,
     (SELECT jsonb_build_array(v.xmin::text, to_jsonb(v)) FROM ${t('venues')} v WHERE v.owner_id = u.id) AS v,
     (SELECT jsonb_build_array(g.xmin::text, to_jsonb(g)) FROM ${t('galleras')} g WHERE g.owner_id = u.id) AS g
   FROM unnest($1::uuid[]) AS u(id)`;

function knownOf({ p, v, g }: EntryRow): Known {
  const entry: DirectoryEntry = {};
  if (p) entry.profile = { userId: p[1].user_id, username: p[1].username, role: p[1].role, profileInfo: p[1].profile_info };
  if (v) entry.venue = toBusiness(v[1]);
  if (g) entry.gallera = { ...toBusiness(g[1]), specialties: g[1].specialties, activeRoosters: g[1].active_roosters };
  return { entry, rows: { p: p?.[0] ?? null, v: v?.[0] ?? null, g: g?.[0] ?? null } };
}

function toBusiness(r: Record<string, any>): Venue {
  return {
    id: r.id, ownerId: r.owner_id, name: r.name, location: r.location, description: r.description, contactInfo: r.contact_info,
    createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString(),
    lastEventId: r.last_event_id, lastEventType: r.last_event_type, version: r.version,
  };
}

/** An upsert of one table: `$?1` stands for its one parameter, the rows as JSON (as in EventStore.appendAtomically). */
interface Upsert {
  sql: string;
  rows: unknown[];
}

/** Which records of each kind to write. */
type EntryPick = <K extends keyof DirectoryEntry>(k: K) => NonNullable<DirectoryEntry[K]>[];

/** The upserts of the profiles, venues and galleras `pick` chooses (undefined where it chooses none). */
const upsertsOf = (t: TableMap, pick: EntryPick) =>
  [profileUpsert(t, pick('profile')), businessUpsert(t('venues'), pick('venue'), false), businessUpsert(t('galleras'), pick('gallera'), true)];

/** The same as one statement. */
const saveEntries = (t: TableMap, pick: EntryPick) => saveAll(upsertsOf(t, pick));

/** Every table's upsert as one statement (data-modifying CTEs); it returns its transaction's xid, the version of the rows it wrote. */
function saveAll(upserts: (Upsert | undefined)[]): DeferredWrite | undefined {
  const parts = upserts.filter((u): u is Upsert => u !== undefined);
  if (!parts.length) return undefined;
  const ctes = parts.map((u, i) => `w${i} AS (${u.sql.replace('$?1', () => `$${i + 1}`)})`);
  return { text: `WITH ${ctes.join(', ')} SELECT pg_current_xact_id()::xid::text AS xid`, values: parts.map((u) => JSON.stringify(u.rows)) };
}

function profileUpsert(t: TableMap, profiles: OwnerProfile[]): Upsert | undefined {
  if (!profiles.length) return undefined;
  return {
    sql: `INSERT INTO ${t('owner_profiles')} (user_id, username, role, profile_info)
     SELECT * FROM jsonb_to_recordset($?1::jsonb) AS x(user_id uuid, username text, role text, profile_info jsonb)
     ON CONFLICT (user_id) DO UPDATE SET username = EXCLUDED.username, role = EXCLUDED.role, profile_info = EXCLUDED.profile_info`,
    rows: profiles.map(profileRow),
  };
}

function businessUpsert(table: string, items: (Venue | Gallera)[], gallera: boolean): Upsert | undefined {
  if (!items.length) return undefined;
  const extraCols = gallera ? ', specialties, active_roosters' : '';
  const extraTypes = gallera ? ', specialties text, active_roosters int' : '';
  const extraSet = gallera ? ', specialties = EXCLUDED.specialties, active_roosters = EXCLUDED.active_roosters' : '';
  return {
    sql: `INSERT INTO ${table} (id, owner_id, name, location, description, contact_info, created_at, updated_at, last_event_id, last_event_type, version${extraCols})
     SELECT * FROM jsonb_to_recordset($?1::jsonb) AS x(${BUSINESS_COLUMNS}${extraTypes})
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, location = EXCLUDED.location, description = EXCLUDED.description,
       contact_info = EXCLUDED.contact_info, updated_at = EXCLUDED.updated_at, last_event_id = EXCLUDED.last_event_id,
       last_event_type = EXCLUDED.last_event_type, version = EXCLUDED.version${extraSet}`,
    rows: items.map((b) => businessRow(b, gallera)),
  };
}

/** A profile's row, as its upsert writes it (its columns, as JSON). */
const profileRow = (p: OwnerProfile) => ({ user_id: p.userId, username: p.username, role: p.role, profile_info: p.profileInfo });

/** A venue's or gallera's row, as its upsert writes it. */
const businessRow = (b: Venue | Gallera, gallera: boolean) => ({
  id: b.id, owner_id: b.ownerId, name: b.name, location: b.location, description: b.description, contact_info: b.contactInfo,
  created_at: b.createdAt, updated_at: b.updatedAt, last_event_id: b.lastEventId, last_event_type: b.lastEventType, version: b.version,
  ...(gallera ? { specialties: (b as Gallera).specialties, active_roosters: (b as Gallera).activeRoosters } : {}),
});
