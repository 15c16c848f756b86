/**
 * Outgrowing one machine (issue 15): three nats-server processes as a JetStream
 * cluster on loopback, streams with three replicas, and two instances of every
 * app sharing one database (on a PostgreSQL of the test's own), the first on one node, the second on another. Writes
 * and SSE clients go through either gateway: every change reaches every client
 * once and in order, each service runs one relay and one runner per projection
 * whatever the number of instances, and delivery goes on when the node the first
 * instance uses is killed.
 */
import { BOUNDED_CONTEXTS, streamName } from '@ripple/contracts';
import { connectBroker } from '@ripple/messaging';
import { eventually, startPrivateNats, startPrivatePostgres, type PrivateNats, type PrivatePostgres } from '@ripple/testing';
import { apiClient, signUp, type ApiClient } from '../e2e/support/http-client';
import { sseClient, type FeedClient } from '../e2e/support/realtime-clients';
import { APPS, startRipple, type RippleInstance, type RunningRipple } from '../e2e/support/ripple-processes';

const ADMIN_PASSWORD = 'e2e-cluster-admin-password';
/** A step's own waits give up (naming what they waited for) before this; a busy machine makes a step slow, not wrong. */
const STEP_MS = 180_000;
/** What runs once per service: every outbox relay and every projection runner. */
const SINGLETONS = [
  'connectors relay',
  'gateway change-feed-connectors', 'gateway change-feed-pets', 'gateway change-feed-profiles', 'gateway change-feed-venues',
  'pets contact-sync', 'pets pet-history', 'pets pet-sync', 'pets relay',
  'profiles pet-relations', 'profiles relay',
  'venues relay', 'venues venue-directory',
];

let nats: PrivateNats;
let pg: PrivatePostgres;
let ripple: RunningRipple;
let instances: RippleInstance[];
let gateways: ApiClient[];
let admin: string;
const feeds: FeedClient[] = [];

beforeAll(async () => {
  // A PostgreSQL of its own too: ten apps hold more connections than a shared server may have left.
  [nats, pg] = await Promise.all([startPrivateNats({ nodes: 3 }), startPrivatePostgres()]);
  ripple = await startRipple({ STREAM_REPLICAS: '3', ADMIN_PASSWORD }, { natsUrl: nats.nodes[0].url, databaseUrl: pg.url });
  instances = [ripple, await ripple.startInstance({ natsUrl: nats.nodes[1].url })];
  gateways = instances.map((i) => apiClient(i.url));
  admin = (await gateways[0].post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).body.data.token;
}, 300_000);

afterAll(async () => {
  for (const f of feeds) f.close();
  // The streams are deleted through the first node: it must be up again.
  for (const n of nats?.nodes ?? []) if (!n.running()) await n.start();
  await ripple?.stop();
  await Promise.all([nats?.stop(), pg?.destroy()]);
}, 120_000);

type Pipeline = { relayLeader: boolean | null; projections: { name: string; leader: boolean }[] };

/** How many instances run each relay and projection runner, as each instance's pipeline report says. */
async function activeCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const count = (key: string, active: boolean) => (counts[key] = (counts[key] ?? 0) + Number(active));
  for (const service of APPS) {
    for (const instance of instances) {
      const res = await apiClient(`http://127.0.0.1:${instance.ports[service]}`).get<{ data: Pipeline }>(`/api/ops/${service}/pipeline`, { token: admin });
      if (res.status !== 200) throw new Error(`${service} pipeline: ${res.status} ${JSON.stringify(res.body)}; its log: ${instance.logs[service].slice(-3).join(' | ')}`);
      if (res.body.data.relayLeader !== null) count(`${service} relay`, res.body.data.relayLeader);
      for (const p of res.body.data.projections) count(`${service} ${p.name}`, p.leader);
    }
  }
  return counts;
}

async function expectOneActiveEach(): Promise<void> {
  const counts = await eventually(async () => {
    const now = await activeCounts();
    return Object.values(now).every((n) => n === 1) && now;
  }, { timeoutMs: 30_000, intervalMs: 250, what: 'exactly one active relay and runner per projection in each service' });
  expect(Object.keys(counts).sort()).toEqual(SINGLETONS);
}

/** A user's SSE clients, one per gateway, the second resuming from the first's starting cursor: both must then get the same changes. */
async function openFeeds(token: string): Promise<FeedClient[]> {
  const first = sseClient(instances[0].url, { token });
  feeds.push(first);
  const start = await eventually(async () => first.messages.find((m) => m.type === 'connected')?.cursor as string | undefined, { what: 'the first SSE client to connect' });
  const second = sseClient(instances[1].url, { token, lastEventId: start });
  feeds.push(second);
  await eventually(async () => second.messages.find((m) => m.type === 'connected'), { what: 'the second SSE client to connect' });
  return [first, second];
}

const changesOf = (feed: FeedClient, recordId: string, type: string) => feed.changes().filter((c) => c.recordId === recordId && c.eventType === type);

/** Both clients got the same changes in the same order, none twice, and each record's versions with no gap. */
function expectOnceInOrder(clients: FeedClient[]): void {
  const [ids, ...others] = clients.map((f) => f.changes().map((c) => c.eventId as string));
  for (const other of others) expect(other).toEqual(ids);
  expect(new Set(ids).size).toBe(ids.length);
  const versions = new Map<string, number[]>();
  for (const c of clients[0].changes()) versions.set(`${c.changeType} ${c.recordId}`, [...(versions.get(`${c.changeType} ${c.recordId}`) ?? []), c.version]);
  for (const [record, seen] of versions) expect({ record, versions: seen }).toEqual({ record, versions: seen.map((_, i) => seen[0] + i) });
}

describe('on a three-node NATS cluster with two instances of every app', () => {
  const owner = { id: '', token: '' };
  let ownerFeeds: FeedClient[];
  const written: string[] = [];

  /** Profile updates, one after another, through the gateways in turn. */
  async function writeProfiles(from: number, to: number): Promise<void> {
    for (let i = from; i <= to; i++) {
      const res = await gateways[i % 2].put('/api/users/profile', { profileInfo: { venueName: `Hall ${i}` } }, { token: owner.token });
      expect(res.status).toBe(200);
      written.push(`Hall ${i}`);
    }
  }

  /** Every update reached both clients once, in order, and the venue both gateways serve holds the last. */
  async function expectProfilesDelivered(): Promise<void> {
    const last = written.at(-1)!;
    await eventually(async () => ownerFeeds.every((f) => changesOf(f, owner.id, 'UserProfileUpdated').at(-1)?.data.changes.venueName === last
      && f.changes().some((c) => c.eventType === 'VenueSynced' && c.data.changes?.name === last)), { timeoutMs: 90_000, what: `${last} on both SSE clients` });
    expectOnceInOrder(ownerFeeds);
    for (const f of ownerFeeds) {
      expect(changesOf(f, owner.id, 'UserProfileUpdated').map((c) => c.data.changes.venueName)).toEqual(written);
      // A venues batch may fold several updates into one change: the names are some of the updates, in their order, each once.
      const venueNames = f.changes().filter((c) => c.eventType === 'VenueSynced' && c.data.changes.name !== undefined).map((c) => c.data.changes.name);
      expect(venueNames).toEqual(written.filter((w) => venueNames.includes(w)));
    }
    for (const gateway of gateways) {
      const me = (await gateway.get(`/api/users/${owner.id}`, { token: owner.token })).body.data;
      expect(me.version).toBe(1 + written.length);
      expect((await gateway.get(`/api/venues?ownerId=${owner.id}`)).body.data[0].name).toBe(written.at(-1));
    }
  }

  it('keeps every stream on three nodes', async () => {
    const broker = await connectBroker(nats.nodes[2].url, 'e2e-cluster-check');
    try {
      for (const context of BOUNDED_CONTEXTS) {
        const { config, cluster } = await broker.jsm.streams.info(streamName(ripple.namespace, context));
        expect(config.num_replicas).toBe(3);
        expect(new Set([cluster?.leader, ...(cluster?.replicas ?? []).map((r) => r.name)])).toEqual(new Set(nats.nodes.map((n) => n.name)));
      }
    } finally {
      await broker.nc.close();
    }
  }, STEP_MS);

  it('runs one relay and one runner per projection in each service, on one instance or the other', async () => {
    await expectOneActiveEach();
  }, STEP_MS);

  it('delivers profile updates sent through either gateway to SSE clients on both, each once and in order', async () => {
    Object.assign(owner, await signUp(gateways[0], 'venue', { venueName: 'Hall 0', venueLocation: 'Quito' }));
    await eventually(async () => (await gateways[1].get(`/api/venues?ownerId=${owner.id}`)).body.data?.[0], { timeoutMs: 60_000, what: 'the venue' });
    ownerFeeds = await openFeeds(owner.token);
    await writeProfiles(1, 16);
    await expectProfilesDelivered();
  }, STEP_MS);

  it('propagates pets changes made through either gateway, each once and in order', async () => {
    const petOwner = await signUp(gateways[1], 'pet_owner', { fullName: 'Pat Owner' });
    const contact = await signUp(gateways[0], 'user', { fullName: 'Cleo Contact', phone: '+1 000' });
    const clients = await openFeeds(petOwner.token);
    // Refused (naming the contact) until the pets service has projected the contact's profile.
    const pet = await eventually(async () => {
      const res = await gateways[1].post('/api/pets', { name: 'Rex', species: 'dog', weightKg: 10, emergencyContactUserId: contact.id }, { token: petOwner.token });
      return res.status === 201 && res.body.data;
    }, { timeoutMs: 60_000, what: 'the pet to be registered' });
    for (let i = 1; i <= 6; i++) {
      expect((await gateways[i % 2].put(`/api/pets/${pet.id}`, { weightKg: 10 + i }, { token: petOwner.token })).status).toBe(200);
      expect((await gateways[(i + 1) % 2].put('/api/users/profile', { profileInfo: { phone: `+1 00${i}` } }, { token: contact.token })).status).toBe(200);
    }
    const final = await eventually(async () => {
      const p = (await gateways[0].get(`/api/pets/${pet.id}`, { token: petOwner.token })).body.data;
      return p.emergencyContactPhone === '+1 006' && p;
    }, { timeoutMs: 60_000, what: "the contact's last phone on the pet" });
    expect(final.weightKg).toBe(16);
    await eventually(async () => clients.every((f) => f.changes().filter((c) => c.recordId === pet.id).at(-1)?.version === final.version),
      { timeoutMs: 60_000, what: 'every pet change on both SSE clients' });
    expectOnceInOrder(clients);
    const petVersions = clients[0].changes().filter((c) => c.recordId === pet.id).map((c) => c.version);
    expect(petVersions).toEqual(Array.from({ length: final.version }, (_, i) => i + 1));
    expect(changesOf(clients[0], pet.id, 'PetUpdated').map((c) => c.data.changes.weightKg)).toEqual([11, 12, 13, 14, 15, 16]);
    // Every weight the pet was given is one measurement (pets' pet-history projection): none twice.
    const measurements = await eventually(async () => {
      const all = (await gateways[1].get(`/api/pets/${pet.id}/measurements`, { token: petOwner.token })).body.data as { weightKg: number }[];
      return all.length >= 7 && all;
    }, { timeoutMs: 60_000, what: 'seven measurements' });
    expect(measurements.map((m) => m.weightKg).sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 14, 15, 16]);
  }, STEP_MS);

  it('goes on delivering, once and in order, after the node the first instance uses is killed', async () => {
    await nats.nodes[0].kill();
    await writeProfiles(17, 26);
    await expectProfilesDelivered();
    await expectOneActiveEach();
  }, STEP_MS);
});
