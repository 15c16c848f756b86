/**
 * Pets copies against newer edits, reopened lost-pet reports and the full sync
 * job (issue 12), through the gateway as a client would, against the compiled
 * apps running as processes on real PostgreSQL and NATS. The database is used
 * only to make a copy drift or a write fail, as a broken propagation would.
 */
import { Client } from 'pg';
import { eventually } from '@ripple/testing';
import { apiClient, signUp, type ApiClient } from './support/http-client';
import { startRipple, type RunningRipple } from './support/ripple-processes';

let ripple: RunningRipple;
let api: ApiClient;
let db: Client;
let admin: string;
type User = { id: string; token: string };

beforeAll(async () => {
  ripple = await startRipple({ ADMIN_PASSWORD: 'e2e-admin-password', PETS_SYNC_RETRIES: '5', PETS_SYNC_RETRY_BACKOFF_MS: '300' });
  api = apiClient(ripple.url);
  db = new Client({ connectionString: ripple.db.url });
  await db.connect();
  admin = (await api.post('/api/auth/login', { username: 'admin', password: 'e2e-admin-password' })).body.data.token;
}, 120_000);

afterAll(async () => {
  await db?.end();
  await ripple?.stop();
});

const get = async (path: string, who: User) => {
  const res = await api.get(path, { token: who.token });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
};
const created = async (path: string, body: unknown, who: User) => {
  const res = await api.post(path, body, { token: who.token });
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
};
const put = async (path: string, body: unknown, who: User) => {
  const res = await api.put(path, body, { token: who.token });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
};
const until = (what: string, probe: () => Promise<boolean>) => eventually(probe, { what, timeoutMs: 30_000 });
const known = (u: User) => until('contact copy', async () => (await db.query('SELECT 1 FROM pets.user_contacts WHERE user_id = $1', [u.id])).rowCount === 1);

let n = 0;
async function world() {
  const tag = ++n;
  const owner = await signUp(api, 'pet_owner', { fullName: 'Olivia Owner', phone: `+1 100 ${tag}` });
  const vetUser = await signUp(api, 'veterinarian', { fullName: 'Vera Vet', phone: `+1 300 ${tag}` });
  for (const u of [owner, vetUser]) await known(u);
  // The vet user is also the pet's emergency contact: the pet shows when a profile change has been applied.
  const pet = await created('/api/pets', { name: 'Rex', species: 'dog', weightKg: 12, emergencyContactUserId: vetUser.id }, owner);
  const vet = await created('/api/veterinarians', { name: 'Dr Vera', clinicName: 'Happy Paws', userId: vetUser.id }, owner);
  const record = await created('/api/health-records', { petId: pet.id, vetId: vet.id, visitDate: '2026-01-10', notes: 'checkup' }, owner);
  const appointment = await created('/api/user-events', { vetId: vet.id, petId: pet.id, title: 'Vaccination', startsAt: '2026-02-01T10:00:00Z' }, owner);
  return { tag, owner, vetUser, pet, vet, record, appointment };
}
type World = Awaited<ReturnType<typeof world>>;

/** Once a later edit of the vet has reached its health record, every earlier change of the vet has too (per-record order). */
async function vetCopiesSettled(w: World, clinicName: string) {
  await put(`/api/veterinarians/${w.vet.id}`, { clinicName }, w.owner);
  await until('clinic on the health record', async () => (await get(`/api/health-records/${w.record.id}`, w.owner)).clinicName === clinicName);
}

describe('a copy never undoes a newer edit of the copy', () => {
  it('a name-only profile change leaves the vet record’s newer phone, and its health records keep following the vet record', async () => {
    const w = await world();
    await put(`/api/veterinarians/${w.vet.id}`, { phone: '+1 444' }, w.vetUser);
    await until('vet phone on the health record', async () => (await get(`/api/health-records/${w.record.id}`, w.owner)).vetPhone === '+1 444');

    expect((await api.put('/api/users/profile', { profileInfo: { fullName: 'Vera Renamed' } }, { token: w.vetUser.token })).status).toBe(200);
    // The same contact-sync transaction writes the emergency contact's name and decides the vet's phone.
    await until('renamed emergency contact', async () => (await get(`/api/pets/${w.pet.id}`, w.owner)).emergencyContactName === 'Vera Renamed');
    await vetCopiesSettled(w, 'Happy Paws East');
    expect((await get(`/api/veterinarians/${w.vet.id}`, w.owner)).phone).toBe('+1 444');
    expect((await get(`/api/health-records/${w.record.id}`, w.owner)).vetPhone).toBe('+1 444');
    expect((await get(`/api/user-events/${w.appointment.id}`, w.owner)).vetPhone).toBe('+1 444');
    const log = (await api.get(`/api/sync/log?userId=${w.vetUser.id}&limit=500`, { token: admin })).body.data;
    expect(log.filter((e: any) => e.recordId === w.vet.id && e.field === 'phone' && e.oldValue === '+1 444')).toEqual([]);

    // A phone change made in the profile after that edit is the newer write: it reaches the vet record and on.
    await api.put('/api/users/profile', { profileInfo: { phone: '+1 555' } }, { token: w.vetUser.token });
    await until('new profile phone on the vet record', async () => (await get(`/api/veterinarians/${w.vet.id}`, w.owner)).phone === '+1 555');
    await until('and on its health record', async () => (await get(`/api/health-records/${w.record.id}`, w.owner)).vetPhone === '+1 555');
  });

  it('force sync of every type re-derives drifted copies and keeps a newer direct edit of the vet phone', async () => {
    const w = await world();
    await put(`/api/veterinarians/${w.vet.id}`, { phone: '+1 666' }, w.owner);
    await vetCopiesSettled(w, 'Happy Paws West');
    await db.query(`UPDATE pets.health_records SET vet_phone = 'drifted', clinic_name = 'drifted' WHERE id = $1`, [w.record.id]);
    await db.query(`UPDATE pets.pets SET emergency_contact_phone = 'drifted' WHERE id = $1`, [w.pet.id]);

    const force = async (type: string, targetId: string, who: User) => {
      const res = await api.post('/api/sync/force', { type, targetId }, { token: who.token });
      expect(res.status).toBe(200);
      return res.body.data;
    };
    // The vet's profile reaches the pet (emergency contact) and the vet record, whose newer phone stays.
    const byProfile = await force('user_profile', w.vetUser.id, w.vetUser);
    expect(byProfile.changes).toEqual([expect.objectContaining({ recordId: w.pet.id, changes: { emergencyContactPhone: `+1 300 ${w.tag}` } })]);
    const byVet = await force('veterinarian', w.vet.id, w.owner);
    expect(byVet.changes).toEqual([expect.objectContaining({ recordId: w.record.id, changes: { clinicName: 'Happy Paws West', vetPhone: '+1 666' } })]);
    expect((await force('pet_data', w.pet.id, w.owner)).changed).toBe(0);
    expect((await get(`/api/veterinarians/${w.vet.id}`, w.owner)).phone).toBe('+1 666');
    expect((await get(`/api/health-records/${w.record.id}`, w.owner)).vetPhone).toBe('+1 666');
  });
});

describe('a lost-pet report lost again', () => {
  it('takes the reporter’s current phone, not the one from before it was found', async () => {
    const w = await world();
    const first = await created('/api/lost-pets', { petId: w.pet.id, lastSeenLocation: 'Central Park' }, w.owner);
    const other = await created('/api/pets', { name: 'Bo', species: 'cat' }, w.owner);
    const open = await created('/api/lost-pets', { petId: other.id, lastSeenLocation: 'Harbour' }, w.owner);
    expect((await put(`/api/lost-pets/${first.id}`, { status: 'found' }, w.owner)).contactPhone).toBe(`+1 100 ${w.tag}`);

    await api.put('/api/users/profile', { profileInfo: { phone: '+1 777' } }, { token: w.owner.token });
    await until('phone on the open report', async () => (await get(`/api/lost-pets/${open.id}`, w.owner)).contactPhone === '+1 777');
    expect((await get(`/api/lost-pets/${first.id}`, w.owner)).contactPhone).toBe(`+1 100 ${w.tag}`);

    const reopened = await put(`/api/lost-pets/${first.id}`, { status: 'lost', lastSeenLocation: 'Riverside' }, w.owner);
    expect(reopened).toMatchObject({ status: 'lost', contactPhone: '+1 777', lastSeenLocation: 'Riverside' });
    expect((await get(`/api/lost-pets/${first.id}`, w.owner)).contactPhone).toBe('+1 777');
  });
});

describe('full sync', () => {
  it('is one job over everything the user’s data reaches; a failed operation retries on its own with backoff', async () => {
    const w = await world();
    const lost = await created('/api/lost-pets', { petId: w.pet.id, lastSeenLocation: 'Central Park' }, w.owner);
    await put(`/api/veterinarians/${w.vet.id}`, { phone: '+1 888' }, w.owner);
    await vetCopiesSettled(w, 'Happy Paws North');
    await db.query(`UPDATE pets.lost_pets SET contact_phone = 'drifted' WHERE id = $1`, [lost.id]);
    await db.query(`UPDATE pets.user_events SET veterinarian_name = 'drifted', vet_phone = 'drifted' WHERE id = $1`, [w.appointment.id]);
    await db.query(`UPDATE pets.pets SET emergency_contact_phone = 'drifted' WHERE id = $1`, [w.pet.id]);
    // Until dropped, re-deriving the pet's emergency phone fails, as a broken write would.
    const constraint = `e2e_full_sync_${w.tag}`;
    await db.query(`ALTER TABLE pets.pets ADD CONSTRAINT ${constraint} CHECK (id <> '${w.pet.id}' OR emergency_contact_phone = 'drifted')`);
    try {
      const started = await api.post('/api/sync/full', {}, { token: w.owner.token });
      expect(started.status).toBe(202);
      expect(started.body.data).toMatchObject({ kind: 'full', userId: w.owner.id, status: 'running', progress: { total: 3 } });
      expect(started.body.data.operations).toEqual([
        { type: 'user_profile', targetId: w.owner.id, label: 'Profile' },
        { type: 'pet_data', targetId: w.pet.id, label: 'Pet Rex' },
        { type: 'veterinarian', targetId: w.vet.id, label: 'Veterinarian Dr Vera' },
      ]);
      const job = `/api/sync/batch/${started.body.data.id}`;
      const waiting = await eventually(async () => (await get(job, w.owner)).retrying[0], { what: 'a retrying operation', timeoutMs: 30_000 });
      expect(waiting).toMatchObject({ index: 1, type: 'pet_data', targetId: w.pet.id, attempts: expect.any(Number), error: { message: expect.stringContaining(constraint) } });
      expect(Date.parse(waiting.nextRetryAt)).toBeGreaterThan(0);
      await db.query(`ALTER TABLE pets.pets DROP CONSTRAINT ${constraint}`);

      const seen: number[] = [];
      const done = await eventually(async () => {
        const j = await get(job, w.owner);
        seen.push(j.progress.completed);
        return j.status === 'completed' && j;
      }, { what: 'full sync to complete', timeoutMs: 30_000 });
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(done).toMatchObject({ completed: 3, failed: 0, progress: { completed: 3, total: 3 }, retrying: [], failedOperations: [] });
      const pet = done.results.find((r: any) => r.type === 'pet_data');
      expect(pet).toMatchObject({ ok: true, index: 1 });
      expect(pet.attempts).toBeGreaterThanOrEqual(waiting.attempts + 1);
    } finally {
      await db.query(`ALTER TABLE pets.pets DROP CONSTRAINT IF EXISTS ${constraint}`);
    }
    expect((await get(`/api/pets/${w.pet.id}`, w.owner)).emergencyContactPhone).toBe(`+1 300 ${w.tag}`);
    expect((await get(`/api/lost-pets/${lost.id}`, w.owner)).contactPhone).toBe(`+1 100 ${w.tag}`);
    expect(await get(`/api/user-events/${w.appointment.id}`, w.owner)).toMatchObject({ veterinarianName: 'Dr Vera', vetPhone: '+1 888' });
    expect((await get(`/api/veterinarians/${w.vet.id}`, w.owner)).phone).toBe('+1 888');
  });

  it('lists an operation that keeps failing as failed once its retries are spent, with its attempts', async () => {
    const w = await world();
    const missing = '0190f5d2-0000-7000-8000-000000000000';
    const operations = [{ type: 'pet_data', targetId: missing, label: 'Gone' }, { type: 'pet_data', targetId: w.pet.id, label: 'Rex' }];
    const started = await api.post('/api/sync/batch', { operations }, { token: w.owner.token });
    expect(started.status).toBe(202);
    const retries: { attempts: number; nextRetryAt: string }[] = [];
    const done = await eventually(async () => {
      const j = await get(`/api/sync/batch/${started.body.data.id}`, w.owner);
      retries.push(...j.retrying);
      return j.status === 'completed' && j;
    }, { what: 'batch to complete', timeoutMs: 60_000 });
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((r) => r.attempts >= 1 && r.attempts <= 5 && Date.parse(r.nextRetryAt) > 0)).toBe(true);
    expect(done).toMatchObject({ completed: 1, failed: 1, retrying: [] });
    expect(done.failedOperations).toEqual([expect.objectContaining({ index: 0, label: 'Gone', ok: false, attempts: 6, error: expect.objectContaining({ code: 'NOT_FOUND' }) })]);
  });

  it('of another user’s data is for admins; a malformed user id is named', async () => {
    const w = await world();
    expect((await api.post('/api/sync/full', { userId: w.vetUser.id }, { token: w.owner.token })).status).toBe(403);
    const bad = await api.post('/api/sync/full', { userId: 'nope' }, { token: w.owner.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: any) => f.field)).toEqual(['userId']);
    const byAdmin = await api.post('/api/sync/full', { userId: w.vetUser.id }, { token: admin });
    expect(byAdmin.status).toBe(202);
    expect(byAdmin.body.data.operations.map((o: any) => o.type)).toEqual(['user_profile', 'veterinarian']);
  });
});
