/**
 * Two-way sync with Broadstreet (document 004) end to end: the compiled apps,
 * through the gateway, against the Broadstreet simulator, real PostgreSQL and NATS.
 */
import { eventually } from '@ripple/testing';
import { BROADSTREET_TOKEN, createLocal, entity, finishedRun, startBroadstreetWorld, syncToEnd, type BroadstreetWorld } from './support/broadstreet';
import type { RecordedRequest } from './support/recording-upstream';

let w: BroadstreetWorld;
beforeAll(async () => {
  w = await startBroadstreetWorld();
}, 120_000);
afterAll(() => w?.stop());
afterEach(() => w?.sim.faults.clear());

const TYPES = ['networks', 'advertisers', 'zones', 'advertisements', 'campaigns', 'placements'] as const;
const list = async (type: string, status?: string) => (await w.api.get(`/api/adserver/${type}${status ? `?status=${status}` : ''}`, { token: w.admin })).body.data;
const remote = (type: (typeof TYPES)[number], id: string) => w.sim.store.all(type).find((e) => String(e.id) === id);
const remoteNamed = (type: (typeof TYPES)[number], name: string) => w.sim.store.all(type).filter((e) => e.data.name === name);

/** Document 004's levels: networks; advertisers and zones; advertisements; campaigns; placements. */
const LEVEL: Record<string, number> = { networks: 0, advertisers: 1, zones: 1, advertisements: 2, campaigns: 3, placements: 4 };
const typeOf = (r: RecordedRequest) => r.path.split('/').at(-1)!;
/** The types of the requests, in the order they reached the upstream, and that order sorted by level (a stable sort). */
const byLevel = (requests: RecordedRequest[]) => {
  const types = requests.map(typeOf);
  return { types, sorted: [...types].sort((a, b) => LEVEL[a] - LEVEL[b]) };
};
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('import', () => {
  it('imports every type in document 004\'s order, with per-type progress and references resolved', async () => {
    const sent = w.wire.length;
    const run = await syncToEnd(w, 'all');
    expect(run).toMatchObject({ status: 'succeeded', connector: 'broadstreet', error: null });
    for (const type of TYPES) {
      const upstream = w.sim.store.all(type).length;
      expect(run.entities[type]).toMatchObject({ status: 'transformed', fetched: upstream, transformed: upstream });
      expect((await list(type, 'imported')).length).toBe(upstream);
    }
    expect(run.entities.networks.level).toBe(0);
    expect([run.entities.advertisers.level, run.entities.zones.level]).toEqual([1, 1]);
    expect([run.entities.advertisements.level, run.entities.campaigns.level, run.entities.placements.level]).toEqual([2, 3, 4]);
    // On the wire: every list of one level before any of the next, and each a plain GET with the token in the query.
    const gets = w.wire.slice(sent);
    const { types, sorted } = byLevel(gets);
    expect(new Set(types)).toEqual(new Set(TYPES));
    expect(types).toEqual(sorted);
    for (const r of gets) expect(r).toMatchObject({ method: 'GET', query: { access_token: BROADSTREET_TOKEN }, contentType: null, body: '' });

    const byId = new Map<string, any>();
    for (const type of TYPES) for (const e of await list(type)) byId.set(e.id, e);
    for (const p of await list('placements')) {
      const upstream = remote('placements', p.remoteId)!;
      expect(byId.get(p.campaign_id).remoteId).toBe(String(upstream.path.campaign));
      expect(byId.get(p.advertisement_id).remoteId).toBe(String(upstream.data.advertisement_id));
      expect(byId.get(p.zone_id).remoteId).toBe(String(upstream.data.zone_id));
    }
  });

  it('imports one type on its own', async () => {
    const run = await syncToEnd(w, 'zones');
    expect(run.status).toBe('succeeded');
    expect(Object.keys(run.entities)).toEqual(['zones']);
    expect(run.entities.zones.transformed).toBe(w.sim.store.all('zones').length);
  });
});

describe('export', () => {
  let network: any, zone: any, acme: any, dup: any, rejected: any, ad: any, campaign: any, orphan: any, placement: any;

  beforeAll(async () => {
    network = (await list('networks'))[0];
    zone = (await list('zones'))[0];
    acme = await createLocal(w, 'advertisers', { network_id: network.id, name: '  Acme Local ', web_home_url: 'https://acme.example', notes: '' });
    dup = await createLocal(w, 'advertisers', { network_id: network.id, name: 'Advertiser 1.1' });
    rejected = await createLocal(w, 'advertisers', { network_id: network.id, name: 'Rejected Co' });
    ad = await createLocal(w, 'advertisements', { advertiser_id: acme.id, name: 'Acme Banner', type: 'static' });
    campaign = await createLocal(w, 'campaigns', { advertiser_id: acme.id, name: 'Acme Spring', start_date: '2026-03-01', weight: 5 });
    orphan = await createLocal(w, 'campaigns', { advertiser_id: rejected.id, name: 'Never Sent', start_date: '2026-03-01' });
    placement = await createLocal(w, 'placements', { campaign_id: campaign.id, advertisement_id: ad.id, zone_id: zone.id });
  });

  it('validates local entities and their references', async () => {
    const bad = await w.api.post('/api/adserver/campaigns', { advertiser_id: network.id, name: '', start_date: 'March' }, { token: w.admin });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: any) => f.field).sort()).toEqual(['name', 'start_date']);
    const wrongRef = await w.api.post('/api/adserver/campaigns', { advertiser_id: network.id, name: 'X', start_date: '2026-01-01' }, { token: w.admin });
    expect([wrongRef.status, wrongRef.body.error.code]).toEqual([422, 'ADSERVER_REFERENCE_NOT_FOUND']);
    expect((await entity(w, 'advertisers', acme.id)).status).toBe('local');
  });

  it('exports local entities with ids mapped, references resolved, a name conflict resolved, a rejection recorded and rate limits honoured', async () => {
    w.sim.faults.add({ kind: 'validation', method: 'POST', type: 'advertisers', nameContains: 'Rejected' }, { kind: 'rate_limit', method: 'POST', type: 'campaigns', retryAfterSeconds: 1, times: 2 });
    const sent = w.wire.length;
    const run = await syncToEnd(w, 'local-all');
    expect(run).toMatchObject({ status: 'succeeded', connector: 'broadstreet-export' });
    expect(run.entities.advertisers).toMatchObject({ total: 3, counts: { exported: 2, failed: 1 } });
    expect(run.entities.campaigns).toMatchObject({ total: 2, counts: { exported: 1, skipped: 1 } });
    expect(run.entities.placements).toMatchObject({ total: 1, counts: { exported: 1 } });

    const [a, d, r, x, c, o, p] = await Promise.all([
      entity(w, 'advertisers', acme.id), entity(w, 'advertisers', dup.id), entity(w, 'advertisers', rejected.id), entity(w, 'advertisements', ad.id),
      entity(w, 'campaigns', campaign.id), entity(w, 'campaigns', orphan.id), entity(w, 'placements', placement.id),
    ]);
    for (const e of [a, d, x, c, p]) expect(e).toMatchObject({ status: 'synced', remoteId: expect.any(String), syncedAt: expect.any(String) });
    // The payload was clean: trimmed name, empty notes left out, network from the id map.
    expect(remote('advertisers', a.remoteId)).toMatchObject({ path: { network: Number(network.remoteId) }, data: { name: 'Acme Local', web_home_url: 'https://acme.example' } });
    expect(remote('advertisers', a.remoteId)!.data).not.toHaveProperty('notes');
    expect(remote('advertisements', x.remoteId)).toMatchObject({ path: { advertiser: Number(a.remoteId) }, data: { name: 'Acme Banner', type: 'static' } });
    expect(remote('campaigns', c.remoteId)).toMatchObject({ path: { advertiser: Number(a.remoteId) }, data: { start_date: '2026-03-01', weight: 5 } });
    expect(remote('placements', p.remoteId)).toMatchObject({
      path: { campaign: Number(c.remoteId) }, data: { advertisement_id: Number(x.remoteId), zone_id: Number(zone.remoteId) },
    });
    expect(d.name).toBe('Advertiser 1.1 (1)');
    expect(remote('advertisers', d.remoteId)!.data.name).toBe('Advertiser 1.1 (1)');

    expect(r).toMatchObject({ status: 'local', remoteId: null, lastSyncAttempt: expect.any(String) });
    expect(r.syncErrors).toEqual([expect.objectContaining({ category: 'validation', message: expect.stringContaining('rejected by the ad server') })]);
    // A refused create wrote nothing: no intent is left for a later run to reconcile against.
    expect((await w.db.query('SELECT 1 FROM connectors.adserver_id_map WHERE local_id = $1', [r.id])).rows).toEqual([]);
    expect(o.status).toBe('local');
    expect(o.syncErrors).toEqual([expect.objectContaining({ category: 'dependency', message: expect.stringContaining(`advertiser ${rejected.id} is not exported`) })]);

    const idMap = (await w.db.query('SELECT local_id, remote_id FROM connectors.adserver_id_map WHERE remote_id IS NOT NULL')).rows;
    expect(Object.fromEntries(idMap.map((m) => [m.local_id, m.remote_id]))).toMatchObject({ [a.id]: a.remoteId, [c.id]: c.remoteId, [p.id]: p.remoteId });

    // Rate limits: two 429s, each followed by a wait of at least its Retry-After, then the create.
    const posts = w.sim.requests.filter((q) => q.method === 'POST' && q.type === 'campaigns');
    expect(posts.map((q) => q.status)).toEqual([429, 429, 201]);
    for (let i = 1; i < posts.length; i++) expect(posts[i].at - posts[i - 1].at).toBeGreaterThanOrEqual(1000);
    expect(run.entities.campaigns.errors.filter((e: any) => e.errorClass === 'rate_limit')).toHaveLength(2);

    // On the wire, as Broadstreet's v0 clients send a create: flat form fields, the token in the query,
    // no parent id repeated from the path; types in document 004's order.
    const creates = w.wire.slice(sent).filter((r) => r.method === 'POST');
    expect(byLevel(creates).types).toEqual(byLevel(creates).sorted);
    const n = network.remoteId;
    const expected = (path: string, fields: Record<string, string>) => ({ method: 'POST', path: `/api/0${path}`, query: { access_token: BROADSTREET_TOKEN }, contentType: 'application/x-www-form-urlencoded', body: form(fields) });
    const sentFor = (path: string) => creates.filter((r) => r.path === `/api/0${path}`);
    expect(sentFor(`/networks/${n}/advertisers`)).toEqual([
      expected(`/networks/${n}/advertisers`, { name: 'Acme Local', web_home_url: 'https://acme.example' }),
      expected(`/networks/${n}/advertisers`, { name: 'Advertiser 1.1 (1)' }),
      expected(`/networks/${n}/advertisers`, { name: 'Rejected Co' }),
    ]);
    expect(sentFor(`/networks/${n}/advertisers/${a.remoteId}/advertisements`)).toEqual([expected(`/networks/${n}/advertisers/${a.remoteId}/advertisements`, { name: 'Acme Banner', type: 'static' })]);
    const campaignCreate = expected(`/networks/${n}/advertisers/${a.remoteId}/campaigns`, { name: 'Acme Spring', start_date: '2026-03-01', weight: '5' });
    expect(sentFor(`/networks/${n}/advertisers/${a.remoteId}/campaigns`)).toEqual([campaignCreate, campaignCreate, campaignCreate]);
    expect(sentFor(`/networks/${n}/advertisers/${a.remoteId}/campaigns/${c.remoteId}/placements`)).toEqual([
      expected(`/networks/${n}/advertisers/${a.remoteId}/campaigns/${c.remoteId}/placements`, { advertisement_id: x.remoteId, zone_id: zone.remoteId }),
    ]);
    expect(creates).toHaveLength(8);
  });

  it('keeps local, not yet exported entities through a new import', async () => {
    const run = await syncToEnd(w, 'all');
    expect(run.status).toBe('succeeded');
    expect((await entity(w, 'advertisers', rejected.id)).status).toBe('local');
    expect((await entity(w, 'campaigns', orphan.id)).status).toBe('local');
    expect((await entity(w, 'advertisers', acme.id)).status).toBe('synced');
    expect((await list('advertisers')).length).toBe(w.sim.store.all('advertisers').length + 1);
  });
});

describe('crash safety', () => {
  it('retries a 5xx create after checking the remote side, without a duplicate', async () => {
    const network = (await list('networks'))[0];
    const local = await createLocal(w, 'zones', { network_id: network.id, name: 'Flaky Zone', alias: ' flaky ' });
    w.sim.faults.add({ kind: 'server_error', method: 'POST', type: 'zones', times: 1 });
    const run = await syncToEnd(w, 'local-all');
    expect(run.entities.zones).toMatchObject({ counts: { exported: 1 }, errors: [expect.objectContaining({ errorClass: 'upstream_5xx', retried: true })] });
    const copies = remoteNamed('zones', 'Flaky Zone');
    expect(copies.map((z) => z.data.alias)).toEqual(['flaky']);
    expect(await entity(w, 'zones', local.id)).toMatchObject({ status: 'synced', remoteId: String(copies[0].id) });
  });

  it('adopts by lookup an entity whose create was answered without its id', async () => {
    const network = (await list('networks'))[0];
    const local = await createLocal(w, 'advertisers', { network_id: network.id, name: 'No Id Co' });
    w.sim.faults.add({ kind: 'reply_without_id', type: 'advertisers', nameContains: 'No Id' });
    const sent = w.wire.length;
    const run = await syncToEnd(w, 'local-all');
    expect(run.status).toBe('succeeded');
    expect(run.entities.advertisers.counts).toMatchObject({ reconciled: 1 });
    const [upstream, ...more] = remoteNamed('advertisers', 'No Id Co');
    expect(more).toEqual([]);
    expect(await entity(w, 'advertisers', local.id)).toMatchObject({ status: 'synced', remoteId: String(upstream.id), syncErrors: [] });
    // One create, then a lookup under its parent.
    const after = w.wire.slice(sent);
    const create = after.findIndex((r) => r.method === 'POST' && r.body === form({ name: 'No Id Co' }));
    expect(after.filter((r) => r.method === 'POST' && r.body === form({ name: 'No Id Co' }))).toHaveLength(1);
    expect(after.slice(create + 1).map((r) => `${r.method} ${r.path}`)).toContain(`GET /api/0/networks/${network.remoteId}/advertisers`);
  });

  it('adopts an entity whose create reply was lost (dropped connection after the write)', async () => {
    const network = (await list('networks'))[0];
    const local = await createLocal(w, 'advertisers', { network_id: network.id, name: 'Dropped Co' });
    w.sim.faults.add({ kind: 'drop_after_write', type: 'advertisers', nameContains: 'Dropped' });
    const run = await syncToEnd(w, 'local-all');
    expect(run.entities.advertisers.counts).toMatchObject({ reconciled: 1 });
    const [upstream, ...more] = remoteNamed('advertisers', 'Dropped Co');
    expect(more).toEqual([]);
    expect(await entity(w, 'advertisers', local.id)).toMatchObject({ status: 'synced', remoteId: String(upstream.id) });
  });

  it('a run killed after the remote write, run again, creates no duplicate and ends with the same id map', async () => {
    const network = (await list('networks'))[0];
    const local = await createLocal(w, 'advertisers', { network_id: network.id, name: 'Killed Co' });
    w.sim.faults.add({ kind: 'hold_after_write', type: 'advertisers', nameContains: 'Killed', delayMs: 30_000 });
    const started = await w.api.post('/api/sync/local-all', undefined, { token: w.admin });
    expect(started.status).toBe(202);
    await eventually(async () => remoteNamed('advertisers', 'Killed Co').length === 1, { timeoutMs: 20_000, what: 'the remote write' });
    await w.ripple.stopApp('connectors', 'SIGKILL');
    const intent = (await w.db.query('SELECT sent_name, remote_id FROM connectors.adserver_id_map WHERE local_id = $1', [local.id])).rows;
    expect(intent).toEqual([{ sent_name: 'Killed Co', remote_id: null }]);
    await w.ripple.startApp('connectors');

    const rerun = await syncToEnd(w, 'local-all');
    expect(rerun.status).toBe('succeeded');
    expect(rerun.entities.advertisers.counts).toMatchObject({ reconciled: 1 });
    const copies = remoteNamed('advertisers', 'Killed Co');
    expect(copies).toHaveLength(1);
    expect(await entity(w, 'advertisers', local.id)).toMatchObject({ status: 'synced', remoteId: String(copies[0].id) });
    const mapped = (await w.db.query('SELECT remote_id FROM connectors.adserver_id_map WHERE local_id = $1', [local.id])).rows;
    expect(mapped).toEqual([{ remote_id: String(copies[0].id) }]);
    const killed = (await w.api.get(`/api/sync/runs/${started.body.data.id}`, { token: w.admin })).body.data;
    expect(killed).toMatchObject({ status: 'failed', error: { message: 'abandoned: the process running it stopped' } });
    // Nothing left half-way: the entity it was exporting when killed is skipped, saying why.
    expect(killed.entities.advertisers).toMatchObject({ status: 'skipped', skippedBecause: 'abandoned: the process running it stopped' });
    for (const e of Object.values<any>(killed.entities)) expect(['failed', 'transformed', 'skipped']).toContain(e.status);
  });
});

describe('incremental sync (one type, with filters)', () => {
  it('fetches only one advertiser\'s campaigns, upserts them without clearing anything, and lists the conflicts', async () => {
    const advertiser = (await list('advertisers')).find((a: any) => a.name === 'Advertiser 1.1');
    const network = (await list('networks')).find((n: any) => n.id === advertiser.network_id);
    const under = { network: Number(network.remoteId), advertiser: Number(advertiser.remoteId) };
    // An entity exported from here, then changed on the ad server.
    const launch = await createLocal(w, 'campaigns', { advertiser_id: advertiser.id, name: 'Local Launch', start_date: '2026-05-01' });
    await syncToEnd(w, 'local-all');
    const launched = await entity(w, 'campaigns', launch.id);
    expect(launched.status).toBe('synced');
    remote('campaigns', launched.remoteId)!.data.weight = 9;
    // A local entity, not yet exported, named as a campaign created on the ad server meanwhile.
    const summer = await createLocal(w, 'campaigns', { advertiser_id: advertiser.id, name: 'Summer Push', start_date: '2026-06-01' });
    const created = w.sim.store.create('campaigns', under, { name: 'Summer Push', start_date: '2026-06-01' });
    // A rename, a removal, and a new campaign under another advertiser (which the filter leaves out).
    const [renamed, removed] = w.sim.store.list('campaigns', under).filter((c) => /^Campaign 1\.1\./.test(String(c.data.name)));
    renamed.data.name = 'Campaign 1.1.1 (renamed)';
    w.sim.store.entities.splice(w.sim.store.entities.indexOf(removed), 1);
    const other = (await list('advertisers')).find((a: any) => a.name === 'Advertiser 1.2');
    w.sim.store.create('campaigns', { network: under.network, advertiser: Number(other.remoteId) }, { name: 'Elsewhere', start_date: '2026-01-01' });
    const before = await list('campaigns');

    const sent = w.wire.length;
    const started = await w.api.post('/api/sync/campaigns/incremental', { advertiser_id: advertiser.id }, { token: w.admin });
    expect(started.status).toBe(202);
    const run = await finishedRun(w, started.body.data.id);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', filters: { advertiser_id: advertiser.id } });
    expect(Object.keys(run.entities)).toEqual(['campaigns']);
    expect(run.entities.campaigns.fetched).toBe(w.sim.store.list('campaigns', under).length);
    expect(w.wire.slice(sent).map((r) => `${r.method} ${r.path}`)).toEqual([`GET /api/0/networks/${under.network}/advertisers/${under.advertiser}/campaigns`]);

    const after = await list('campaigns');
    const named = (name: string) => after.filter((c: any) => c.name === name);
    expect(named('Summer Push').map((c: any) => [c.status, c.remoteId]).sort()).toEqual([['imported', String(created.ok && created.entity.id)], ['local', null]]);
    expect(named('Campaign 1.1.1 (renamed)')).toEqual([expect.objectContaining({ status: 'imported', remoteId: String(renamed.id) })]);
    // Nothing cleared: the campaign removed upstream stays, and so does every other advertiser's.
    expect(after.find((c: any) => c.remoteId === String(removed.id))).toBeDefined();
    expect(named('Elsewhere')).toEqual([]);
    expect(after.length).toBe(before.length + 1);
    expect(await entity(w, 'campaigns', launch.id)).toMatchObject({ status: 'synced', weight: 9 });

    expect(run.entities.campaigns.counts).toEqual({ conflicts: 2 });
    expect(run.entities.campaigns.conflicts).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'changed_remotely', remoteId: launched.remoteId, localId: launch.id }),
      expect.objectContaining({ kind: 'name_taken_locally', remoteId: String(created.ok && created.entity.id), localId: summer.id }),
    ]));
  });

  it('refuses a filter the type cannot take (400 naming it), and a parent not on Broadstreet (422)', async () => {
    const advertiser = (await list('advertisers'))[0];
    const wrong = await w.api.post('/api/sync/zones/incremental', { advertiser_id: advertiser.id }, { token: w.admin });
    expect([wrong.status, wrong.body.error.code, wrong.body.error.fields.map((f: any) => f.field)]).toEqual([400, 'VALIDATION_FAILED', ['advertiser_id']]);
    const local = await createLocal(w, 'advertisers', { network_id: advertiser.network_id, name: 'Not Exported Yet' });
    for (const id of [local.id, '0190f5d2-0000-7000-8000-000000000000']) {
      const res = await w.api.post('/api/sync/campaigns/incremental', { advertiser_id: id }, { token: w.admin });
      expect([res.status, res.body.error.code, res.body.error.field]).toEqual([422, 'ADSERVER_REFERENCE_NOT_FOUND', 'advertiser_id']);
    }
  });
});

describe('auth errors', () => {
  it('stop the export run', async () => {
    await createLocal(w, 'networks', { name: 'Auth Net' });
    w.sim.faults.add({ kind: 'unauthorized', type: 'networks', times: 5 });
    const run = await syncToEnd(w, 'local-all');
    expect(run).toMatchObject({ status: 'failed', error: { errorClass: 'auth', entity: 'networks' } });
    expect(run.entities.advertisers.status).toBe('skipped');
  });
});
