import { useState, type FormEvent } from 'react';
import { useLiveList, useMutation, useSyncClient } from '@ripple/sync-client/react';
import { ErrorNote, Field, fieldError, useAction, useApiRead } from './ui';

interface Pet { id: string; version: number; name: string; species: string; breed?: string | null; weightKg?: number | null; emergencyContactName?: string | null; emergencyContactPhone?: string | null }
interface Vet { id: string; version: number; name: string; clinicName: string; phone?: string | null }
interface HealthRecord { id: string; version: number; petId: string; vetId: string; visitDate: string; weightKg?: number | null; notes?: string; clinicName?: string; vetPhone?: string }
interface Measurement { id: string; weightKg: number; sourceEventType: string; recordedAt: string }

/** Document 001: pets, their weight (edited here or on the latest health record, each following the other), vets and health records. */
export function PetsPage() {
  const { data: pets, error } = useLiveList<Pet>('pet');
  const { data: vets } = useLiveList<Vet>('veterinarian');
  const [selected, setSelected] = useState<string>();
  const pet = pets?.find((p) => p.id === selected) ?? pets?.[0];
  return (
    <div className="columns">
      <section className="card" aria-labelledby="pets-title">
        <h2 id="pets-title">Pets</h2>
        <ErrorNote error={error} />
        {pets?.length === 0 && <p>No pets yet.</p>}
        <ul className="pick" aria-label="Pets">
          {pets?.map((p) => (
            <li key={p.id}>
              <button type="button" aria-pressed={p.id === pet?.id} onClick={() => setSelected(p.id)}>{p.name} <small>{p.species}{p.weightKg ? `, ${p.weightKg} kg` : ''}</small></button>
            </li>
          ))}
        </ul>
        <NewPet />
      </section>
      {pet && <PetDetail key={pet.id} pet={pet} vets={vets ?? []} />}
      <Vets vets={vets} />
    </div>
  );
}

function NewPet() {
  const client = useSyncClient();
  const [form, setForm] = useState({ name: '', species: '', weightKg: '' });
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { name: form.name, species: form.species, ...(form.weightKg ? { weightKg: Number(form.weightKg) } : {}) };
    if (await action.run(() => client.api('POST', '/api/pets', body))) setForm({ name: '', species: '', weightKg: '' });
  };
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  return (
    <form onSubmit={submit} aria-label="Add a pet">
      <h3>Add a pet</h3>
      <Field label="Name" name="pet-name" value={form.name} onChange={set('name')} error={fieldError(action.error, 'name')} />
      <Field label="Species" name="pet-species" value={form.species} onChange={set('species')} error={fieldError(action.error, 'species')} />
      <Field label="Weight (kg)" name="pet-weight" type="number" value={form.weightKg} onChange={set('weightKg')} error={fieldError(action.error, 'weightKg')} />
      <ErrorNote error={action.error} />
      <button type="submit" disabled={action.busy}>Add pet</button>
    </form>
  );
}

function PetDetail({ pet, vets }: { pet: Pet; vets: readonly Vet[] }) {
  const [weight, setWeight] = useState('');
  const save = useMutation<Pet>();
  // Read again whenever the pet moves on: a new weight is a new measurement.
  const measurements = useApiRead<Measurement[]>(`/api/pets/${pet.id}/measurements`, [pet.version]);
  const { data: records } = useLiveList<HealthRecord>('health-record', { petId: pet.id });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.mutate({ method: 'PUT', path: `/api/pets/${pet.id}`, body: { weightKg: Number(weight) }, headers: { 'if-match': `"${pet.version}"` }, statePath: `/api/pets/${pet.id}` });
  };
  return (
    <section className="card" aria-labelledby="pet-title">
      <h2 id="pet-title">{pet.name} <small>v{pet.version}</small></h2>
      <dl>
        <dt>Species</dt><dd>{pet.species}{pet.breed ? `, ${pet.breed}` : ''}</dd>
        <dt>Weight</dt><dd data-testid="pet-weight">{pet.weightKg ?? '—'} kg</dd>
        {pet.emergencyContactName && (<><dt>Emergency contact</dt><dd>{pet.emergencyContactName} {pet.emergencyContactPhone}</dd></>)}
      </dl>
      <form onSubmit={submit} aria-label="Record a weight">
        <Field label="New weight (kg)" name="weight" type="number" value={weight} onChange={setWeight} error={save.status === 'failed' ? fieldError(save.error, 'weightKg') : undefined} />
        <button type="submit" disabled={!weight}>Record weight</button>
        {save.status === 'queued' && <p className="queued">Queued: it will be sent as soon as the server is reachable.</p>}
        {save.status === 'sent' && <p className="ok">Saved.</p>}
        {save.status === 'failed' && <ErrorNote error={save.error} />}
      </form>
      <h3>Measurements</h3>
      <ErrorNote error={measurements.error} />
      <ol className="measurements" aria-label="Measurements">
        {measurements.data?.map((m) => <li key={m.id}>{m.weightKg} kg <small>{new Date(m.recordedAt).toLocaleString()}, from {m.sourceEventType}</small></li>)}
      </ol>
      <h3>Health records</h3>
      <ul aria-label="Health records">
        {records?.map((r) => <HealthRecordRow key={r.id} record={r} />)}
      </ul>
      <NewHealthRecord petId={pet.id} vets={vets} />
    </section>
  );
}

function HealthRecordRow({ record }: { record: HealthRecord }) {
  const [weight, setWeight] = useState('');
  const save = useMutation();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.mutate({ method: 'PUT', path: `/api/health-records/${record.id}`, body: { weightKg: Number(weight) }, headers: { 'if-match': `"${record.version}"` }, statePath: `/api/health-records/${record.id}` });
  };
  return (
    <li>
      {record.visitDate} at {record.clinicName ?? 'the clinic'}{record.vetPhone ? ` (${record.vetPhone})` : ''}: {record.weightKg ?? '—'} kg {record.notes && <small>{record.notes}</small>}
      <form onSubmit={submit} className="inline" aria-label={`Correct the weight of the visit on ${record.visitDate}`}>
        <Field label="Corrected weight (kg)" name={`hr-weight-${record.id}`} type="number" value={weight} onChange={setWeight} />
        <button type="submit" disabled={!weight}>Correct</button>
        {save.status === 'failed' && <ErrorNote error={save.error} />}
      </form>
    </li>
  );
}

function NewHealthRecord({ petId, vets }: { petId: string; vets: readonly Vet[] }) {
  const client = useSyncClient();
  const [form, setForm] = useState({ vetId: '', visitDate: new Date().toISOString().slice(0, 10), weightKg: '', notes: '' });
  const action = useAction();
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = { petId, vetId: form.vetId || vets[0]?.id, visitDate: form.visitDate, ...(form.weightKg ? { weightKg: Number(form.weightKg) } : {}), ...(form.notes ? { notes: form.notes } : {}) };
    void action.run(() => client.api('POST', '/api/health-records', body));
  };
  if (vets.length === 0) return <p className="hint">Add a veterinarian to record a visit.</p>;
  return (
    <form onSubmit={submit} aria-label="Record a visit">
      <h3>Record a visit</h3>
      <div className="field">
        <label htmlFor="f-vet">Veterinarian</label>
        <select id="f-vet" value={form.vetId} onChange={(e) => set('vetId')(e.target.value)}>
          {vets.map((v) => <option key={v.id} value={v.id}>{v.name}, {v.clinicName}</option>)}
        </select>
      </div>
      <Field label="Visit date" name="visit-date" type="date" value={form.visitDate} onChange={set('visitDate')} error={fieldError(action.error, 'visitDate')} />
      <Field label="Weight (kg)" name="visit-weight" type="number" value={form.weightKg} onChange={set('weightKg')} error={fieldError(action.error, 'weightKg')} />
      <Field label="Notes" name="visit-notes" value={form.notes} onChange={set('notes')} />
      <ErrorNote error={action.error} />
      <button type="submit" disabled={action.busy}>Record visit</button>
    </form>
  );
}

function Vets({ vets }: { vets?: readonly Vet[] }) {
  const client = useSyncClient();
  const [form, setForm] = useState({ name: '', clinicName: '', phone: '' });
  const action = useAction();
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await action.run(() => client.api('POST', '/api/veterinarians', { name: form.name, clinicName: form.clinicName, ...(form.phone ? { phone: form.phone } : {}) }))) setForm({ name: '', clinicName: '', phone: '' });
  };
  return (
    <section className="card" aria-labelledby="vets-title">
      <h2 id="vets-title">Veterinarians</h2>
      <ul aria-label="Veterinarians">{vets?.map((v) => <li key={v.id}>{v.name}, {v.clinicName} {v.phone && <small>{v.phone}</small>}</li>)}</ul>
      <form onSubmit={submit} aria-label="Add a veterinarian">
        <Field label="Name" name="vet-name" value={form.name} onChange={set('name')} error={fieldError(action.error, 'name')} />
        <Field label="Clinic" name="vet-clinic" value={form.clinicName} onChange={set('clinicName')} error={fieldError(action.error, 'clinicName')} />
        <Field label="Phone" name="vet-phone" value={form.phone} onChange={set('phone')} error={fieldError(action.error, 'phone')} />
        <ErrorNote error={action.error} />
        <button type="submit" disabled={action.busy}>Add veterinarian</button>
      </form>
    </section>
  );
}
