/**
 * The catalog import (document 003) end to end: the compiled connectors app
 * against the NowRepBlue simulator, real PostgreSQL and NATS.
 */
import { eventually } from '@ripple/testing';
import { catalogVersion, finished, runToEnd, startConnectorsWorld, type ConnectorsWorld } from './support/connectors';

let w: ConnectorsWorld;
beforeAll(async () => {
  w = await startConnectorsWorld(40);
}, 120_000);
afterAll(() => w?.stop());

const get = async (path: string) => (await w.api.get(path, { token: w.admin })).body;
const ids = (rows: { id?: unknown }[]) => rows.map((r) => r.id).sort();
interface BoardState { name: string; talents: string[]; portfolios: string[] }
const boardState = (b: any): BoardState => ({ name: b.name, talents: ids(b.talents), portfolios: ids(b.portfolios) });

interface Snapshot { version: number; total: number; boards: Record<string, BoardState> }

/**
 * What a reader sees of the whole catalog: the talent total and every board with
 * its talents and portfolios. Each response is one read, and says which version
 * it came from; the snapshot is whole only when every response says the same.
 */
async function snapshot(): Promise<Snapshot & { versions: number[] }> {
  const talents = await get('/api/catalog/talents?limit=1');
  const boards: Record<string, BoardState> = {};
  const versions = [talents.meta.version];
  for (const b of (await get('/api/catalog/boards?limit=200')).data) {
    const detail = await get(`/api/catalog/boards/${b.id}`);
    versions.push(detail.meta.version);
    boards[b.id] = boardState(detail.data);
  }
  return { version: talents.meta.version, total: talents.meta.total, boards, versions };
}
const whole = async (): Promise<Snapshot> => {
  const { versions, ...s } = await snapshot();
  expect(new Set(versions).size).toBe(1);
  return s;
};

const switchedEvents = async (runId: string) =>
  (await w.db.query(`SELECT data FROM connectors.events WHERE type = 'CatalogVersionSwitched' AND data->>'runId' = $1`, [runId])).rows.map((r) => r.data);

let first: Snapshot;
let second: Snapshot;

describe('a full import', () => {
  it('stages, transforms and switches every entity, and serves it', async () => {
    const run = await runToEnd(w);
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'manual', error: null });
    const upstream = w.sim.data;
    const expected = { talents: upstream.talents, boards: upstream.boards, tags: upstream.tags, portfolios: upstream.portfolios, measurements: upstream.measurements, socials: upstream.socials, media: upstream.media, board_talents: upstream['boards-talents'], board_portfolios: upstream['boards-portfolios'], media_tags: upstream['media-tags'] };
    for (const [entity, rows] of Object.entries(expected)) {
      expect(run.entities[entity]).toMatchObject({ status: 'transformed', fetched: rows.length, transformed: rows.length, total: rows.length });
    }
    expect(run.entities.media_tags.level).toBeGreaterThan(run.entities.media.level);
    expect(await catalogVersion(w.db)).toEqual([{ active: 1, backup: null }]);

    first = await whole();
    expect(first.version).toBe(1);
    expect(first.total).toBe(upstream.talents.length);
    const board = upstream.boards[0];
    expect(first.boards[board.id!]).toEqual({
      name: board.name,
      talents: upstream['boards-talents'].filter((x) => x.boardId === board.id).map((x) => x.talentId).sort(),
      portfolios: upstream['boards-portfolios'].filter((x) => x.boardId === board.id).map((x) => x.portfolioId).sort(),
    });
    const talent = (await get(`/api/catalog/talents/${upstream.talents[0].id}`)).data;
    expect(talent).toMatchObject({ id: upstream.talents[0].id, firstName: upstream.talents[0].firstName, measurements: { heightCm: upstream.measurements[0].heightCm } });
    expect(talent.portfolios).toHaveLength(2);
    expect(talent.portfolios[0].media).toHaveLength(3);

    const [switched] = await switchedEvents(run.id);
    expect(switched).toMatchObject({ version: 1, previousVersion: null, entities: { talents: { rows: 40, added: 40, changed: 0, removed: 0 } } });
    const staged = await w.db.query('SELECT count(*)::int AS n FROM connectors.talents_json WHERE run_id = $1', [run.id]);
    expect(staged.rows[0].n).toBe(1);
    // Progress and changes reached JetStream: the relay marks an event published only after its PubAck.
    await eventually(async () => (await w.db.query('SELECT count(*)::int AS n FROM connectors.outbox')).rows[0].n === 0, { what: 'events published' });
    const types = (await w.db.query('SELECT DISTINCT type FROM connectors.events')).rows.map((r) => r.type).sort();
    expect(types).toEqual(['CatalogEntityChanged', 'CatalogVersionSwitched', 'ConnectorEntityProgressed', 'ConnectorRunStarted', 'ConnectorRunSucceeded']);
  });
});

describe('a second import with changes', () => {
  it('switches atomically: a reader querying throughout sees the old or the new catalog, never a mix or nothing', async () => {
    const change = w.sim.mutate({ added: 3, changed: 4, removed: 2 });
    // Each response on its own: the talent total and each board's detail, with the version it came from.
    const seen: { version: number; what: string; value: unknown }[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const talents = await get('/api/catalog/talents?limit=1');
        seen.push({ version: talents.meta.version, what: 'total', value: talents.meta.total });
        for (const id of Object.keys(first.boards)) {
          const board = await get(`/api/catalog/boards/${id}`);
          seen.push({ version: board.meta.version, what: id, value: board.data && boardState(board.data) });
        }
      }
    })();
    const run = await runToEnd(w);
    second = await whole();
    reading = false;
    await reader;

    expect(run.status).toBe('succeeded');
    expect(second.version).toBe(2);
    expect(second.total).toBe(41);
    expect(second.boards[change.renamedBoards[0]].name).not.toBe(first.boards[change.renamedBoards[0]].name);
    const expected = (version: number, what: string) => {
      const s = version === 1 ? first : second;
      return what === 'total' ? s.total : s.boards[what];
    };
    for (const s of seen) {
      expect([1, 2]).toContain(s.version);
      expect({ ...s, value: s.value }).toEqual({ ...s, value: expected(s.version, s.what) });
    }
    expect(seen.length).toBeGreaterThan(3);

    const [switched] = await switchedEvents(run.id);
    expect(switched).toMatchObject({ version: 2, previousVersion: 1, entities: { talents: { rows: 41, added: 3, changed: 4, removed: 2 }, tags: { added: 0, changed: 0, removed: 0 } } });
    const talentChanges = (await w.db.query(`SELECT data FROM connectors.events WHERE type = 'CatalogEntityChanged' AND data->>'runId' = $1 AND data->>'entity' = 'talents'`, [run.id])).rows[0].data;
    expect(talentChanges.added.sort()).toEqual([...change.addedTalents].sort());
    expect(talentChanges.changed.sort()).toEqual([...change.changedTalents].sort());
    expect(talentChanges.removed.sort()).toEqual([...change.removedTalents].sort());
    expect(await catalogVersion(w.db)).toEqual([{ active: 2, backup: 1 }]);
  });
});

describe('rollback', () => {
  it('repoints every view to the backup version', async () => {
    const res = await w.api.post('/api/connectors/catalog/rollback', undefined, { token: w.admin });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ version: 1, previousVersion: 2 });
    expect(await whole()).toEqual(first);
    expect(await catalogVersion(w.db)).toEqual([{ active: 1, backup: 2 }]);
  });
});

describe('a run that fails mid-transform', () => {
  it('switches nothing and keeps the backup: a rollback afterwards serves the previous version', async () => {
    w.sim.faults.add({ kind: 'malformed', entity: 'media', page: 1 });
    const run = await runToEnd(w);
    expect(run).toMatchObject({ status: 'failed', error: { entity: 'media', errorClass: 'validation' } });
    expect(run.error.message).toMatch(/lack a required field|invalid input syntax/);
    expect(run.entities.talents.status).toBe('transformed');
    expect(run.entities.media.status).toBe('failed');
    // Fetched but never transformed: a finished run leaves nothing half-way.
    expect(run.entities.media_tags).toMatchObject({ status: 'skipped', skippedBecause: 'media failed' });
    expect(await switchedEvents(run.id)).toEqual([]);
    expect(await whole()).toEqual(first);
    // The run wrote the third set of tables: the backup (version 2) is untouched.
    expect(await catalogVersion(w.db)).toEqual([{ active: 1, backup: 2 }]);
    const rollback = await w.api.post('/api/connectors/catalog/rollback', undefined, { token: w.admin });
    expect([rollback.status, rollback.body.data]).toEqual([200, { version: 2, previousVersion: 1 }]);
    expect(await whole()).toEqual(second);
  });

  it('lists every run with its trigger, status and counts', async () => {
    const runs = (await get('/api/connectors/runs')).data;
    expect(runs.map((r: any) => r.status)).toEqual(['failed', 'succeeded', 'succeeded']);
    expect(runs.every((r: any) => r.trigger === 'manual' && r.connector === 'nowrepblue')).toBe(true);
  });
});

describe('an incremental import', () => {
  const startIncremental = async () => {
    const started = await w.api.post('/api/connectors/nowrepblue/runs', { mode: 'incremental' }, { token: w.admin });
    expect(started.status).toBe(202);
    expect(started.body.data.mode).toBe('incremental');
    return finished(w, started.body.data.id);
  };
  /** What the served catalog holds, entity by entity (keys, and each talent's city), against the upstream's data. */
  const served = async () => ({
    talents: (await w.db.query('SELECT id, city FROM connectors.talents_current ORDER BY id')).rows,
    media: (await w.db.query('SELECT id FROM connectors.media_current ORDER BY id')).rows.map((r) => r.id),
    boardTalents: (await w.db.query(`SELECT board_id || ':' || talent_id AS k FROM connectors.board_talents_current ORDER BY 1`)).rows.map((r) => r.k),
  });
  const upstream = () => ({
    talents: w.sim.data.talents.map((t) => ({ id: t.id, city: t.city })).sort((a, b) => String(a.id).localeCompare(String(b.id))),
    media: w.sim.data.media.map((m) => m.id).sort(),
    boardTalents: w.sim.data['boards-talents'].map((x) => `${x.boardId}:${x.talentId}`).sort(),
  });

  it('without a cursor (none since the rollback) fetches everything, and says it was incremental', async () => {
    const run = await startIncremental();
    expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', filters: null });
    expect(run.entities.talents).toMatchObject({ since: null, fetched: w.sim.data.talents.length });
    expect(await served()).toEqual(upstream());
  });

  it('with a cursor fetches only what changed since, and switches a whole version atomically', async () => {
    const before = (await catalogVersion(w.db))[0];
    const change = w.sim.mutate({ added: 2, changed: 3, removed: 1 });
    const run = await startIncremental();
    expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental' });
    // The cursor the previous run ended with, and only the changed talents (the removed one as a tombstone).
    expect(run.entities.talents).toMatchObject({ since: String(w.sim.changes.revision - 1), fetched: 6, transformed: 5 });
    expect(run.entities.tags).toMatchObject({ fetched: 0, transformed: 0 });
    expect(await served()).toEqual(upstream());
    const [switched] = await switchedEvents(run.id);
    expect(switched).toMatchObject({ version: expect.any(Number), previousVersion: before.active, entities: { talents: { rows: w.sim.data.talents.length, added: 2, changed: 3, removed: 1 } } });
    const talentChanges = (await w.db.query(`SELECT data FROM connectors.events WHERE type = 'CatalogEntityChanged' AND data->>'runId' = $1 AND data->>'entity' = 'talents'`, [run.id])).rows[0].data;
    expect(talentChanges.removed).toEqual(change.removedTalents);
    expect((await catalogVersion(w.db))[0]).toEqual({ active: switched.version, backup: before.active });
    expect((await whole()).version).toBe(switched.version);
    const runs = (await get('/api/connectors/runs?limit=2')).data;
    expect(runs.map((r: any) => r.mode)).toEqual(['incremental', 'incremental']);
  });

  it('refuses an unknown mode, naming the field', async () => {
    const res = await w.api.post('/api/connectors/nowrepblue/runs', { mode: 'partial' }, { token: w.admin });
    expect([res.status, res.body.error.code, res.body.error.fields?.[0]?.field]).toEqual([400, 'VALIDATION_FAILED', 'mode']);
  });
});
