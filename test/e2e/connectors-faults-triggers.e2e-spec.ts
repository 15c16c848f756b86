/**
 * The connector framework's edges end to end: upstream faults retried and
 * classified, signed triggers, and runs of one connector never overlapping.
 */
import { eventually } from '@ripple/testing';
import { finished, runToEnd, signedTrigger, startConnectorsWorld, type ConnectorsWorld } from './support/connectors';

let w: ConnectorsWorld;
beforeAll(async () => {
  w = await startConnectorsWorld(12);
}, 120_000);
afterAll(() => w?.stop());
afterEach(() => w.sim.faults.clear());

const retried = (run: any, entity: string) => run.entities[entity].errors.filter((e: any) => e.retried).map((e: any) => [e.errorClass, e.status ?? null]);

describe('upstream faults', () => {
  it('retries 429 (waiting Retry-After), 500 and timeouts, records each by class, and completes', async () => {
    w.sim.faults.add(
      { kind: 'rate_limit', entity: 'talents', retryAfterSeconds: 1 },
      { kind: 'server_error', entity: 'boards', times: 2 },
      { kind: 'timeout', entity: 'tags', delayMs: 5000 },
    );
    const run = await runToEnd(w);
    expect(run.status).toBe('succeeded');
    expect(retried(run, 'talents')).toEqual([['rate_limit', 429]]);
    expect(run.entities.talents.errors[0].delayMs).toBe(1000);
    expect(retried(run, 'boards')).toEqual([['upstream_5xx', 500], ['upstream_5xx', 500]]);
    expect(retried(run, 'tags')).toEqual([['network', null]]);
    expect(run.entities.tags.errors[0].message).toMatch(/timed out/);

    // The same run at /metrics: its outcome, its records per entity, its retries by class (a 429 is rate_limit).
    const metrics = await (await fetch(`http://127.0.0.1:${w.ripple.ports.connectors}/metrics`)).text();
    /** The value of the series `name` whose labels include `labels` (the app adds its own, e.g. `service`). */
    const value = (name: string, labels: Record<string, string>) => {
      const line = metrics.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
      return Number(line?.split(' ').at(-1));
    };
    const nowrepblue = { connector: 'nowrepblue' };
    expect(value('ripple_connector_runs_total', { ...nowrepblue, status: 'succeeded' })).toBeGreaterThanOrEqual(1);
    expect(value('ripple_connector_runs_running', nowrepblue)).toBe(0);
    expect(value('ripple_connector_records_total', { ...nowrepblue, entity: 'talents' })).toBeGreaterThanOrEqual(run.entities.talents.fetched);
    expect(value('ripple_connector_retries_total', { ...nowrepblue, error_class: 'rate_limit' })).toBeGreaterThanOrEqual(1);
    expect(value('ripple_connector_retries_total', { ...nowrepblue, error_class: 'upstream_5xx' })).toBeGreaterThanOrEqual(2);
    expect(value('ripple_connector_retries_total', { ...nowrepblue, error_class: 'network' })).toBeGreaterThanOrEqual(1);
  });

  it('gives up after 3 attempts and fails the run, switching nothing', async () => {
    w.sim.faults.add({ kind: 'server_error', entity: 'socials', times: 3 });
    const run = await runToEnd(w);
    expect(run).toMatchObject({ status: 'failed', error: { entity: 'socials', errorClass: 'upstream_5xx' } });
    expect(run.entities.socials.errors.at(-1)).toMatchObject({ retried: false, attempt: 3, status: 500 });
    expect(run.entities.media.status).toBe('skipped');
    const switched = await w.db.query(`SELECT 1 FROM connectors.events WHERE type = 'CatalogVersionSwitched' AND data->>'runId' = $1`, [run.id]);
    expect(switched.rowCount).toBe(0);
  });

  it('with the upstream down, ends every entity of the failing level failed with its own error, and skips the rest', async () => {
    // Every connection to the upstream drops unanswered: each of the first level's entities tries 3 times.
    w.sim.faults.add({ kind: 'disconnect', times: 9 });
    const run = await runToEnd(w);
    expect(run).toMatchObject({ status: 'failed', error: { entity: 'talents', errorClass: 'network' } });
    for (const [entity, path] of [['talents', 'talents'], ['boards', 'boards'], ['tags', 'tags']]) {
      expect(run.entities[entity].status).toBe('failed');
      expect(run.entities[entity].errors.at(-1)).toMatchObject({ retried: false, errorClass: 'network', attempt: 3, message: expect.stringContaining(`GET /v1/${path}?`) });
    }
    for (const p of Object.values<any>(run.entities).filter((e) => e.level > 0)) {
      expect(p).toMatchObject({ status: 'skipped', skippedBecause: 'talents, boards, tags failed' });
    }
  });

  it('never retries an auth failure', async () => {
    w.sim.faults.add({ kind: 'unauthorized', entity: 'boards', times: 5 });
    const run = await runToEnd(w);
    expect(run).toMatchObject({ status: 'failed', error: { entity: 'boards', errorClass: 'auth' } });
    expect(run.entities.boards.errors).toEqual([expect.objectContaining({ retried: false, attempt: 1, status: 401 })]);
    expect(w.sim.faults.pending()).toBe(4);
  });
});

describe('signed triggers', () => {
  const body = JSON.stringify({ connector: 'nowrepblue' });

  it('starts a webhook run once, and refuses the same signature again', async () => {
    const trigger = signedTrigger(w, body);
    const res = await trigger.send();
    expect(res.status).toBe(202);
    expect(res.body.data).toMatchObject({ trigger: 'webhook', status: 'running' });
    expect((await finished(w, res.body.data.id)).status).toBe('succeeded');
    const replay = await trigger.send();
    expect([replay.status, replay.body.error.code]).toEqual([409, 'REPLAYED_SIGNATURE']);
  });

  it.each([
    ['forged (another secret)', () => signedTrigger(w, body, { secret: 'not-the-sync-secret-at-all' }).send(), 'mismatch'],
    ['stale (6 minutes old)', () => signedTrigger(w, body, { timestamp: Math.floor(Date.now() / 1000) - 360 }).send(), 'stale'],
    ['unsigned', () => w.api.call('POST', '/api/internal/orchestrate-sync', { raw: body }), 'missing'],
    ['signed over another body', () => {
      const t = signedTrigger(w, body);
      return w.api.call('POST', '/api/internal/orchestrate-sync', { raw: JSON.stringify({ connector: 'other' }), headers: { 'x-ripple-timestamp': String(Math.floor(Date.now() / 1000)), 'x-ripple-signature': t.signature } });
    }, 'mismatch'],
  ])('refuses a %s trigger', async (_what, send, problem) => {
    const runsBefore = (await w.db.query('SELECT count(*)::int AS n FROM connectors.connector_runs')).rows[0].n;
    const res = await send();
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'INVALID_SIGNATURE', problem });
    expect((await w.db.query('SELECT count(*)::int AS n FROM connectors.connector_runs')).rows[0].n).toBe(runsBefore);
  });
});

describe('a trigger with a bad body', () => {
  const runs = async () => (await w.db.query('SELECT count(*)::int AS n FROM connectors.connector_runs')).rows[0].n;

  it.each([
    ['an invalid', JSON.stringify({ connector: 'Not A Connector!', extra: 1 })],
    ['a malformed', '{"connector": '],
  ])('is refused 401 for its signature first when forged, with %s body', async (_what, body) => {
    const before = await runs();
    const res = await signedTrigger(w, body, { secret: 'not-the-sync-secret-at-all' }).send();
    expect([res.status, res.body.error.code, res.body.error.problem]).toEqual([401, 'INVALID_SIGNATURE', 'mismatch']);
    expect(await runs()).toBe(before);
  });

  it('is refused 400 naming the fields when signed correctly', async () => {
    const res = await signedTrigger(w, JSON.stringify({ connector: 'Not A Connector!', extra: 1 })).send();
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(res.body.error.fields.map((f: any) => f.field).sort()).toEqual(['connector', 'extra']);
    const malformed = await signedTrigger(w, '{"connector": ').send();
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'MALFORMED_JSON']);
  });
});

describe('one run at a time', () => {
  it('answers a second trigger and a rollback with 409 naming the running run', async () => {
    w.sim.faults.latencyMs = 300;
    const first = await w.api.post('/api/connectors/nowrepblue/runs', undefined, { token: w.admin });
    expect(first.status).toBe(202);
    const second = await w.api.post('/api/connectors/nowrepblue/runs', undefined, { token: w.admin });
    expect([second.status, second.body.error.code, second.body.error.runningRunId]).toEqual([409, 'RUN_IN_PROGRESS', first.body.data.id]);
    const webhook = await signedTrigger(w, '{}').send();
    expect([webhook.status, webhook.body.error.runningRunId]).toEqual([409, first.body.data.id]);
    const rollback = await w.api.post('/api/connectors/catalog/rollback', undefined, { token: w.admin });
    expect([rollback.status, rollback.body.error.code]).toEqual([409, 'RUN_IN_PROGRESS']);
    w.sim.faults.latencyMs = 0;
    expect((await finished(w, first.body.data.id)).status).toBe('succeeded');
    await eventually(async () => (await w.api.post('/api/connectors/catalog/rollback', undefined, { token: w.admin })).status === 200, { what: 'lock released' });
  });
});
