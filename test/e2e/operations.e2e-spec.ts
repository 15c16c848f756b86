/**
 * What an operator sees of a running Ripple: the admin pipeline view through the
 * gateway, against the compiled apps running as processes.
 */
import { Client } from 'pg';
import { eventually } from '@ripple/testing';
import { apiClient, signUp, type ApiClient } from './support/http-client';
import { startRipple, type RunningRipple } from './support/ripple-processes';

let ripple: RunningRipple;
let api: ApiClient;
let admin: string;

beforeAll(async () => {
  ripple = await startRipple({ ADMIN_PASSWORD: 'e2e-admin-password', DEAD_LETTER_AFTER: '2', RETRY_BACKOFF_MS: '50' });
  api = apiClient(ripple.url);
  admin = (await api.post('/api/auth/login', { username: 'admin', password: 'e2e-admin-password' })).body.data.token;
}, 90_000);

afterAll(async () => {
  await ripple?.stop();
});

type Report = { service: string; error?: string; outboxBacklog: number | null; projections: { name: string; lag: number | null; deadLetters: number }[] };
const pipeline = async () => (await api.get<{ data: { services: Report[] } }>('/api/admin/pipeline', { token: admin })).body.data.services;
const projection = (services: Report[], name: string) => services.flatMap((s) => s.projections ?? []).find((p) => p.name === name)!;

describe('GET /api/admin/pipeline', () => {
  it('lists every app with its outbox backlog and each projection, and counts a dead letter as it opens', async () => {
    const before = await pipeline();
    expect(before.map((s) => s.service)).toEqual(['gateway', 'profiles', 'venues', 'pets', 'connectors']);
    expect(before.find((s) => s.service === 'gateway')).toMatchObject({ outboxBacklog: null });
    expect(before.find((s) => s.service === 'profiles')!.outboxBacklog).toEqual(expect.any(Number));
    expect(projection(before, 'change-feed-venues')).toBeDefined();
    expect(projection(before, 'venue-directory').deadLetters).toBe(0);

    const db = new Client({ connectionString: ripple.db.url });
    await db.connect();
    try {
      await db.query(`ALTER TABLE venues.venues ADD CONSTRAINT e2e_ops_poison CHECK (name <> 'Ops Poison')`);
      const owner = await signUp(api, 'venue', { venueName: 'Ops Hall', venueLocation: 'Quito' });
      expect((await api.put('/api/users/profile', { profileInfo: { venueName: 'Ops Poison' } }, { token: owner.token })).status).toBe(200);
      await eventually(async () => projection(await pipeline(), 'venue-directory').deadLetters === 1, { what: 'the dead letter in the pipeline view' });
      const after = await pipeline();
      // The profiles relay published the update, and the venues consumer has pulled it.
      expect(after.find((s) => s.service === 'profiles')!.outboxBacklog).toBe(0);
      expect(projection(after, 'venue-directory').lag).toEqual(expect.any(Number));
    } finally {
      await db.query('ALTER TABLE venues.venues DROP CONSTRAINT IF EXISTS e2e_ops_poison');
      await db.end();
    }
  });

  it('names a service that does not answer instead of leaving it out', async () => {
    await ripple.stopApp('pets');
    try {
      const services = await pipeline();
      expect(services.find((s) => s.service === 'pets')!.error).toMatch(/unreachable/);
      expect(services.find((s) => s.service === 'venues')!.error).toBeUndefined();
    } finally {
      await ripple.startApp('pets');
    }
  });

  it('is for admins only', async () => {
    const user = await signUp(api, 'user');
    expect((await api.get('/api/admin/pipeline')).status).toBe(401);
    expect((await api.get('/api/admin/pipeline', { token: user.token })).status).toBe(403);
    expect((await api.get('/api/ops/venues/pipeline', { token: user.token })).status).toBe(403);
  });
});
