/**
 * Pets data entered once, propagated everywhere: profiles through the gateway,
 * the pets service on its own port (until the gateway routes /api/pets...),
 * compiled apps running as processes against real PostgreSQL and NATS.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { eventually, testNatsUrl } from '@ripple/testing';
import { apiClient, signUp, type ApiClient } from './support/http-client';
import { startRipple, type RunningRipple } from './support/ripple-processes';

let ripple: RunningRipple;
let api: ApiClient;
let pets: ApiClient;
let db: Client;
let admin: string;
type User = { id: string; token: string };

beforeAll(async () => {
  ripple = await startRipple({ ADMIN_PASSWORD: 'e2e-admin-password', DEAD_LETTER_AFTER: '3', RETRY_BACKOFF_MS: '50' });
  api = apiClient(ripple.url);
  pets = apiClient(`http://127.0.0.1:${ripple.ports.pets}`);
  db = new Client({ connectionString: ripple.db.url });
  await db.connect();
  admin = (await api.post('/api/auth/login', { username: 'admin', password: 'e2e-admin-password' })).body.data.token;
}, 120_000);

afterAll(async () => {
  await db?.end();
  await ripple?.stop();
});

const get = async (path: string, who: User | string) => (await pets.get(path, { token: typeof who === 'string' ? who : who.token })).body.data;
const withCorrelation = (id: string) => ({ headers: { 'x-correlation-id': id } });
const profile = (u: User, profileInfo: Record<string, unknown>, correlationId = `c-${Date.now()}`) =>
  api.put('/api/users/profile', { profileInfo }, { token: u.token, ...withCorrelation(correlationId) });
/** A user is usable as a contact once the pets service has projected their profile. */
const known = (u: User) => eventually(async () => (await db.query('SELECT 1 FROM pets.user_contacts WHERE user_id = $1', [u.id])).rowCount === 1, { what: 'contact copy' });
const created = async (path: string, body: unknown, who: User) => {
  const res = await pets.post(path, body, { token: who.token });
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
};
const logOf = async (userId: string) => (await pets.get(`/api/sync/log?userId=${userId}&limit=500`, { token: admin })).body.data as any[];

interface World { owner: User; contact: User; vetUser: User; stranger: User; pet: any; vet: any; record: any; appointment: any; lost: any }
async function world(): Promise<World> {
  const owner = await signUp(api, 'pet_owner', { fullName: 'Olivia Owner', phone: '+1 111' });
  const contact = await signUp(api, 'user', { fullName: 'Carl Contact', phone: '+1 222' });
  const vetUser = await signUp(api, 'veterinarian', { fullName: 'Vera Vet', phone: '+1 333' });
  const stranger = await signUp(api, 'pet_owner', { fullName: 'Sam Stranger' });
  for (const u of [owner, contact, vetUser, stranger]) await known(u); // one pg client: one query at a time
  const pet = await created('/api/pets', { name: 'Rex', species: 'dog', breed: 'Beagle', weightKg: 12, emergencyContactUserId: contact.id }, owner);
  const vet = await created('/api/veterinarians', { name: 'Dr Vera', clinicName: 'Happy Paws', userId: vetUser.id }, owner);
  const record = await created('/api/health-records', { petId: pet.id, vetId: vet.id, weightKg: 12, visitDate: '2026-01-10', notes: 'checkup' }, owner);
  const appointment = await created('/api/user-events', { vetId: vet.id, petId: pet.id, title: 'Vaccination', startsAt: '2026-02-01T10:00:00Z' }, owner);
  const lost = await created('/api/lost-pets', { petId: pet.id, lastSeenLocation: 'Central Park' }, owner);
  return { owner, contact, vetUser, stranger, pet, vet, record, appointment, lost };
}

describe('entered once: copies are filled from their source', () => {
  it('copies contact phones, clinic and vet name at creation', async () => {
    const w = await world();
    expect(w.pet).toMatchObject({ ownerId: w.owner.id, weightKg: 12, emergencyContactName: 'Carl Contact', emergencyContactPhone: '+1 222', version: 1 });
    expect(w.vet).toMatchObject({ phone: '+1 333', userId: w.vetUser.id, createdBy: w.owner.id });
    expect(w.record).toMatchObject({ clinicName: 'Happy Paws', vetPhone: '+1 333', weightKg: 12 });
    expect(w.appointment).toMatchObject({ veterinarianName: 'Dr Vera', vetPhone: '+1 333', startsAt: '2026-02-01T10:00:00.000Z' });
    expect(w.lost).toMatchObject({ contactPhone: '+1 111', reporterId: w.owner.id, status: 'lost' });
  });
});

describe('profile contact changes', () => {
  it('reach emergency contacts, lost-pet reports and the linked vet, and are logged with their cause', async () => {
    const w = await world();
    expect((await profile(w.contact, { phone: '+1 999', fullName: 'Carl C.' }, 'e2e-contact-change')).status).toBe(200);
    await profile(w.owner, { phone: '+1 888' });
    await profile(w.vetUser, { phone: '+1 777' });

    await eventually(async () => (await get(`/api/pets/${w.pet.id}`, w.owner)).emergencyContactPhone === '+1 999', { what: 'emergency contact phone' });
    expect((await get(`/api/pets/${w.pet.id}`, w.owner)).emergencyContactName).toBe('Carl C.');
    await eventually(async () => (await get(`/api/lost-pets/${w.lost.id}`, w.owner)).contactPhone === '+1 888', { what: 'lost-pet phone' });
    await eventually(async () => (await get(`/api/veterinarians/${w.vet.id}`, w.owner)).phone === '+1 777', { what: 'vet phone' });
    // And on, through the vet, to its health records and appointments.
    await eventually(async () => (await get(`/api/health-records/${w.record.id}`, w.owner)).vetPhone === '+1 777', { what: 'record vet phone' });
    await eventually(async () => (await get(`/api/user-events/${w.appointment.id}`, w.owner)).vetPhone === '+1 777', { what: 'appointment vet phone' });

    const log = await logOf(w.contact.id);
    expect(log).toEqual(expect.arrayContaining([
      expect.objectContaining({ table: 'pets', recordId: w.pet.id, field: 'emergencyContactPhone', oldValue: '+1 222', newValue: '+1 999', rule: 'contact-from-profile', status: 'synced', correlationId: 'e2e-contact-change' }),
      expect.objectContaining({ table: 'pets', recordId: w.pet.id, field: 'emergencyContactName', oldValue: 'Carl Contact', newValue: 'Carl C.' }),
    ]));
    expect((await pets.get(`/api/sync/log?userId=${w.owner.id}`, { token: w.contact.token })).status).toBe(403);
  });
});

describe('vet details', () => {
  it('reach every health record from the vet and every user event with the vet', async () => {
    const w = await world();
    const second = await created('/api/health-records', { petId: w.pet.id, vetId: w.vet.id, visitDate: '2025-12-01', notes: 'older visit' }, w.owner);
    const updated = await pets.put(`/api/veterinarians/${w.vet.id}`, { clinicName: 'Happy Paws East', name: 'Dr Vera Smith' }, { token: w.owner.token });
    expect(updated.status).toBe(200);
    for (const id of [w.record.id, second.id]) {
      await eventually(async () => (await get(`/api/health-records/${id}`, w.owner)).clinicName === 'Happy Paws East', { what: 'clinic name' });
    }
    await eventually(async () => (await get(`/api/user-events/${w.appointment.id}`, w.owner)).veterinarianName === 'Dr Vera Smith', { what: 'vet name' });
    // The vet now treats the pet: they see it, but may not change it.
    expect((await pets.get(`/api/pets/${w.pet.id}`, { token: w.vetUser.token })).status).toBe(200);
    expect((await pets.put(`/api/pets/${w.pet.id}`, { name: 'Max' }, { token: w.vetUser.token })).status).toBe(403);
  });
});

describe('weight, both ways, without looping', () => {
  it('pet → latest health record and measurements; record correction → pet and measurements', async () => {
    const w = await world();
    expect((await pets.put(`/api/pets/${w.pet.id}`, { weightKg: 13 }, { token: w.owner.token })).status).toBe(200);
    await eventually(async () => (await get(`/api/health-records/${w.record.id}`, w.owner)).weightKg === 13, { what: 'record weight from pet' });

    const corrected = await pets.put(`/api/health-records/${w.record.id}`, { weightKg: 13.4 }, { token: w.vetUser.token, ...withCorrelation('e2e-correction') });
    expect(corrected.status).toBe(200);
    await eventually(async () => (await get(`/api/pets/${w.pet.id}`, w.owner)).weightKg === 13.4, { what: 'pet weight from record' });
    const measurements = await get(`/api/pets/${w.pet.id}/measurements`, w.owner);
    expect(measurements.map((m: { weightKg: number; sourceEventType: string }) => [m.weightKg, m.sourceEventType])).toEqual([[12, 'PetRegistered'], [13, 'PetUpdated'], [13.4, 'PetSynced']]);

    // Barrier: the reactor applies the stream in order, so once a later pet's weight has followed, every reaction above has run.
    const later = await world();
    await pets.put(`/api/pets/${later.pet.id}`, { weightKg: 40 }, { token: later.owner.token });
    await eventually(async () => (await get(`/api/health-records/${later.record.id}`, later.owner)).weightKg === 40, { what: 'barrier' });
    expect((await get(`/api/pets/${w.pet.id}`, w.owner)).version).toBe(3);
    expect((await get(`/api/health-records/${w.record.id}`, w.owner)).version).toBe(3);
    const weights = (await logOf(w.owner.id)).filter((e) => e.field === 'weightKg' && e.status === 'synced');
    expect(weights.map((e) => [e.table, e.rule, e.oldValue, e.newValue]).sort()).toEqual([
      ['health_records', 'weight-from-pet', 12, 13],
      ['pets', 'weight-from-health-record', 13, 13.4],
    ]);
    expect(weights.find((e) => e.table === 'pets').correlationId).toBe('e2e-correction');
  });

  it('a burst of weight updates ends with the final weight on every copy and one measurement per weight', async () => {
    const w = await world();
    const burst = [20, 21, 22, 23, 24, 25, 26, 27, 28, 29];
    for (const kg of burst) expect((await pets.put(`/api/pets/${w.pet.id}`, { weightKg: kg }, { token: w.owner.token })).status).toBe(200);
    await eventually(async () => (await get(`/api/health-records/${w.record.id}`, w.owner)).weightKg === 29, { what: 'final weight' });
    await eventually(async () => (await get(`/api/pets/${w.pet.id}/measurements`, w.owner)).length === 11, { what: 'measurements' });
    expect((await get(`/api/pets/${w.pet.id}/measurements`, w.owner)).map((m: { weightKg: number }) => m.weightKg)).toEqual([12, ...burst]);
    expect((await get(`/api/pets/${w.pet.id}`, w.owner)).weightKg).toBe(29);
    const writes = (await logOf(w.owner.id)).filter((e) => e.recordId === w.record.id && e.field === 'weightKg');
    expect(writes.length).toBeLessThanOrEqual(burst.length);
    expect(writes[0].newValue).toBe(29);
  });
});

describe('concurrent edits', () => {
  it('If-Match refuses a stale edit with 409 and the current version', async () => {
    const w = await world();
    const first = await pets.put(`/api/pets/${w.pet.id}`, { name: 'Rex I' }, { token: w.owner.token, headers: { 'if-match': '"1"' } });
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe('"2"');
    const second = await pets.put(`/api/pets/${w.pet.id}`, { name: 'Rex II' }, { token: w.owner.token, headers: { 'if-match': '"1"' } });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2, expectedVersion: 1 });
    expect((await get(`/api/pets/${w.pet.id}`, w.owner)).name).toBe('Rex I');
  });

  it('without If-Match the last accepted writer wins per field and the losing value is logged', async () => {
    const w = await world();
    const [a, b, c] = await Promise.all([
      pets.put(`/api/pets/${w.pet.id}`, { breed: 'Husky' }, { token: w.owner.token }),
      pets.put(`/api/pets/${w.pet.id}`, { name: 'Rexy', weightKg: 30 }, { token: w.owner.token }),
      pets.put(`/api/pets/${w.pet.id}`, { weightKg: 31 }, { token: admin }),
    ]);
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    const pet = await get(`/api/pets/${w.pet.id}`, w.owner);
    expect(pet).toMatchObject({ breed: 'Husky', name: 'Rexy', version: 4 });
    const lost = pet.weightKg === 30 ? 31 : 30;
    await eventually(async () => {
      const log = (await pets.get(`/api/sync/log?status=overwritten&limit=500`, { token: admin })).body.data;
      return log.some((e: any) => e.recordId === w.pet.id && e.field === 'weightKg' && e.oldValue === lost && e.newValue === pet.weightKg);
    }, { what: 'overwritten value in the log' });
  });
});

describe('force and batch sync', () => {
  it('force sync re-derives copies from current truth and logs them as forced', async () => {
    const w = await world();
    await db.query(`UPDATE pets.health_records SET clinic_name = 'Drifted' WHERE id = $1`, [w.record.id]);
    const res = await pets.post('/api/sync/force', { type: 'veterinarian', targetId: w.vet.id }, { token: w.owner.token });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ type: 'veterinarian', changed: 1, changes: [{ recordId: w.record.id, changes: { clinicName: 'Happy Paws' } }] });
    expect((await get(`/api/health-records/${w.record.id}`, w.owner)).clinicName).toBe('Happy Paws');
    // Vet-details propagations are logged for the vet's user.
    await eventually(async () => (await logOf(w.vetUser.id)).some((e) => e.status === 'forced' && e.oldValue === 'Drifted' && e.newValue === 'Happy Paws'), { what: 'forced log entry' });
    expect((await pets.post('/api/sync/force', { type: 'pet_data', targetId: w.pet.id }, { token: w.stranger.token })).status).toBe(404);
  });

  it('batch sync runs several with progress readable until completed', async () => {
    const w = await world();
    await db.query(`UPDATE pets.pets SET emergency_contact_phone = 'stale' WHERE id = $1`, [w.pet.id]);
    await db.query(`UPDATE pets.user_events SET veterinarian_name = 'stale' WHERE id = $1`, [w.appointment.id]);
    const operations = [
      { type: 'user_profile', targetId: w.owner.id, label: 'Profile' },
      { type: 'pet_data', targetId: w.pet.id, label: 'Pet' },
      { type: 'veterinarian', targetId: w.vet.id, label: 'Vet' },
    ];
    const started = await pets.post('/api/sync/batch', { operations }, { token: w.owner.token });
    expect(started.status).toBe(202);
    expect(started.body.data.progress.total).toBe(3);
    const seen: number[] = [];
    const done = await eventually(async () => {
      const job = await get(`/api/sync/batch/${started.body.data.id}`, w.owner);
      seen.push(job.progress.completed);
      return job.status === 'completed' ? job : undefined;
    }, { what: 'batch to complete' });
    expect(done).toMatchObject({ total: 3, completed: 3, failed: 0, progress: { completed: 3, total: 3 } });
    expect(seen).toEqual([...seen].sort());
    expect(done.results.map((r: { label: string; ok: boolean }) => [r.label, r.ok])).toEqual([['Profile', true], ['Pet', true], ['Vet', true]]);
    expect((await get(`/api/pets/${w.pet.id}`, w.owner)).emergencyContactPhone).toBe('+1 222');
    expect((await get(`/api/user-events/${w.appointment.id}`, w.owner)).veterinarianName).toBe('Dr Vera');
    expect((await pets.get(`/api/sync/batch/${started.body.data.id}`, { token: w.stranger.token })).status).toBe(404);
  });
});

describe('a failed propagation', () => {
  it('is retried with backoff, listed with its error, then retried successfully', async () => {
    const w = await world();
    await db.query(`ALTER TABLE pets.health_records ADD CONSTRAINT e2e_no_poison CHECK (clinic_name <> 'Poison Clinic')`);
    try {
      expect((await pets.put(`/api/veterinarians/${w.vet.id}`, { clinicName: 'Poison Clinic' }, { token: w.owner.token })).status).toBe(200);
      const failed = await eventually(async () => {
        const res = await pets.get('/api/sync/failed', { token: admin });
        return res.body.data.find((f: any) => f.recordId === w.vet.id);
      }, { what: 'failed propagation' });
      expect(failed).toMatchObject({ projection: 'pet-sync', eventType: 'VeterinarianUpdated', status: 'failed', attempts: 3 });
      expect(failed.error).toMatch(/e2e_no_poison/);
      expect((await pets.get('/api/sync/failed', { token: w.owner.token })).status).toBe(403);
      expect((await pets.get(`/api/sync/log?status=failed&userId=${w.owner.id}`, { token: admin })).body.data.map((f: any) => f.id)).toContain(failed.id);
      expect((await pets.post(`/api/sync/failed/${failed.id}/retry`, undefined, { token: admin })).status).toBe(422);

      await db.query('ALTER TABLE pets.health_records DROP CONSTRAINT e2e_no_poison');
      const retried = await pets.post(`/api/sync/failed/${failed.id}/retry`, undefined, { token: admin });
      expect(retried.status).toBe(200);
      expect((await get(`/api/health-records/${w.record.id}`, w.owner)).clinicName).toBe('Poison Clinic');
      expect((await pets.get('/api/sync/failed', { token: admin })).body.data.find((f: any) => f.id === failed.id)).toBeUndefined();
    } finally {
      await db.query('ALTER TABLE pets.health_records DROP CONSTRAINT IF EXISTS e2e_no_poison');
    }
  });
});

describe('bad input gets a clear 4xx and changes nothing', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });
  const version = async () => (await get(`/api/pets/${w.pet.id}`, w.owner)).version;

  it.each([
    ['a negative weight', () => pets.put(`/api/pets/${w.pet.id}`, { weightKg: -3 }, { token: w.owner.token }), 400, 'VALIDATION_FAILED'],
    ['a malformed id', () => pets.put('/api/pets/not-a-uuid', { weightKg: 3 }, { token: w.owner.token }), 400, 'BAD_REQUEST'],
    ['an unknown pet', () => pets.put('/api/pets/0190f5d2-0000-7000-8000-000000000000', { weightKg: 3 }, { token: w.owner.token }), 404, 'NOT_FOUND'],
    ["someone else's pet", () => pets.put(`/api/pets/${w.pet.id}`, { weightKg: 3 }, { token: w.stranger.token }), 404, 'NOT_FOUND'],
    ['a cleared required field', () => pets.put(`/api/pets/${w.pet.id}`, { name: null }, { token: w.owner.token }), 400, 'VALIDATION_FAILED'],
    ['an unknown field', () => pets.put(`/api/pets/${w.pet.id}`, { colour: 'red' }, { token: w.owner.token }), 400, 'VALIDATION_FAILED'],
    ['a bad If-Match', () => pets.put(`/api/pets/${w.pet.id}`, { name: 'X' }, { token: w.owner.token, headers: { 'if-match': 'yesterday' } }), 400, 'INVALID_IF_MATCH'],
    ['no token', () => pets.put(`/api/pets/${w.pet.id}`, { name: 'X' }), 401, 'AUTH_REQUIRED'],
  ])('%s', async (_what, send, status, code) => {
    const before = await version();
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ success: false, error: { code } });
    expect(await version()).toBe(before);
  });

  it('refuses references to records the caller cannot use', async () => {
    const unknownPet = await pets.post('/api/health-records', { petId: '0190f5d2-0000-7000-8000-000000000000', vetId: w.vet.id, visitDate: '2026-01-01' }, { token: w.owner.token });
    expect(unknownPet.status).toBe(422);
    expect(unknownPet.body.error).toMatchObject({ code: 'UNKNOWN_REFERENCE', field: 'petId' });
    expect((await pets.post('/api/lost-pets', { petId: w.pet.id, lastSeenLocation: 'x' }, { token: w.stranger.token })).status).toBe(422);
    expect((await pets.post('/api/health-records', { petId: w.pet.id, vetId: w.vet.id, visitDate: '2026-13-01', weightKg: 0 }, { token: w.owner.token })).body.error.fields.map((f: any) => f.field).sort()).toEqual(['visitDate', 'weightKg']);
    expect((await pets.post('/api/veterinarians', { name: 'X', clinicName: 'Y', userId: w.stranger.id }, { token: w.owner.token })).body.error.code).toBe('NOT_A_VETERINARIAN');
    expect((await pets.get(`/api/pets/${w.pet.id}`, { token: w.stranger.token })).status).toBe(404);
    expect((await pets.get('/api/pets', { token: w.stranger.token })).body.data).toEqual([]);
  });
});

describe('replay', () => {
  it('rebuilds the pets projections from the streams with the same rows, appending nothing', async () => {
    const snapshot = async () => ({
      measurements: (await db.query('SELECT * FROM pets.pet_measurements ORDER BY id')).rows,
      log: (await db.query('SELECT * FROM pets.sync_log ORDER BY event_id, field')).rows,
      contacts: (await db.query('SELECT * FROM pets.user_contacts ORDER BY user_id')).rows,
      pets: (await db.query('SELECT * FROM pets.pets ORDER BY id')).rows,
      records: (await db.query('SELECT * FROM pets.health_records ORDER BY id')).rows,
      events: (await db.query('SELECT count(*)::int AS n FROM pets.events')).rows[0].n,
    });
    const before = await snapshot();
    expect(before.measurements.length).toBeGreaterThan(10);
    expect(before.log.length).toBeGreaterThan(10);
    const env = { PATH: process.env.PATH, DATABASE_URL: ripple.db.url, NATS_URL: await testNatsUrl(), RIPPLE_NAMESPACE: ripple.namespace, JWT_SECRET: 'e2e-secret-at-least-16-chars', LOG_LEVEL: 'error' };
    for (const projection of ['pet-history', 'contact-sync']) {
      const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '..', '..', 'scripts', 'ops.js'), 'replay', projection], { env });
      expect(stdout).toMatch(new RegExp(`${projection} rebuilt from \\d+ events`));
    }
    expect(await snapshot()).toEqual(before);
  });
});
