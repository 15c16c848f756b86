import { useEffect, useState, type FormEvent } from 'react';
import type { Session } from '@ripple/sync-client';
import { useLiveList, useLiveRecord, useMutation } from '@ripple/sync-client/react';
import { ErrorNote, Field, fieldError } from './ui';

interface User {
  id: string;
  username: string;
  email?: string;
  role: string;
  version: number;
  displayName: string;
  profileInfo: Record<string, string | number | null | undefined>;
}

interface Business {
  id: string;
  version: number;
  name: string;
  location: string;
  description?: string;
  contactInfo?: { email?: string; website?: string };
  specialties?: string;
  activeRoosters?: number;
  lastChangedBy: { eventType: string };
}

const COMMON = [['fullName', 'Full name'], ['phone', 'Phone'], ['address', 'Address'], ['bio', 'Bio'], ['businessName', 'Business name']] as const;
const BUSINESS = {
  venue: [['venueName', 'Venue name'], ['venueLocation', 'Venue location'], ['venueDescription', 'Venue description'], ['venueEmail', 'Venue email'], ['venueWebsite', 'Venue website']],
  gallera: [['galleraName', 'Gallera name'], ['galleraLocation', 'Gallera location'], ['galleraDescription', 'Gallera description'], ['galleraEmail', 'Gallera email'], ['galleraWebsite', 'Gallera website'], ['galleraSpecialties', 'Specialties'], ['galleraActiveRoosters', 'Active roosters']],
} as const;
const NUMERIC = new Set(['galleraActiveRoosters']);

/** Document 000's display name: the business name for venues and galleras, else the full name, else the username. */
const DISPLAY_RULE: Record<string, string> = {
  venue: 'venue name, else business name, else full name, else username',
  gallera: 'gallera name, else business name, else full name, else username',
};

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/** The signed-in user's profile, editable, and their venue or gallera following it live. */
export function ProfilePage({ session }: { session: Session }) {
  const { data: me, error: loadError } = useLiveRecord<User>('user', session.user.id, { path: '/api/users/me' });
  const save = useMutation<User>();
  const [edits, setEdits] = useState<Record<string, string>>({});
  const role = me?.role ?? session.user.role;
  const fields = [...COMMON, ...((BUSINESS as Record<string, readonly (readonly [string, string])[]>)[role] ?? [])];

  // A saved edit is the record's now: what was typed is no longer an edit.
  useEffect(() => {
    if (save.status === 'sent') setEdits({});
  }, [save.status]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!me) return;
    const profileInfo = Object.fromEntries(Object.entries(edits).map(([k, v]) => [k, v.trim() === '' ? null : NUMERIC.has(k) ? Number(v) : v]));
    void save.mutate({ method: 'PUT', path: '/api/users/profile', body: { profileInfo, expectedVersion: me.version }, statePath: '/api/users/me' });
  };

  if (loadError) return <ErrorNote error={loadError} />;
  if (!me) return <p>Loading your profile…</p>;
  return (
    <div className="columns">
      <form onSubmit={submit} aria-labelledby="profile-title" className="card">
        <h2 id="profile-title">Your profile <small>v{me.version}</small></h2>
        <p>Shown as <strong data-testid="display-name">{me.displayName}</strong> <small className="hint">({DISPLAY_RULE[role] ?? 'full name, else username'})</small></p>
        {fields.map(([name, label]) => (
          <Field key={name} name={name} label={label} type={NUMERIC.has(name) ? 'number' : 'text'}
            value={edits[name] ?? text(me.profileInfo[name])}
            onChange={(v) => setEdits((x) => ({ ...x, [name]: v }))}
            error={save.status === 'failed' ? fieldError(save.error, `profileInfo.${name}`) : undefined} />
        ))}
        <button type="submit" disabled={Object.keys(edits).length === 0}>Save</button>
        <SaveState save={save} />
      </form>
      {(role === 'venue' || role === 'gallera') && <BusinessRecord kind={role} ownerId={me.id} />}
    </div>
  );
}

function SaveState({ save }: { save: ReturnType<typeof useMutation<User>> }) {
  const conflict = save.conflicts.at(-1);
  return (
    <div aria-live="polite">
      {save.status === 'queued' && <p className="queued" data-testid="save-state">Queued: it will be sent as soon as the server is reachable.</p>}
      {save.status === 'sent' && <p className="ok" data-testid="save-state">Saved (v{save.result?.version}).</p>}
      {save.status === 'dropped' && <p className="error" data-testid="save-state">Given up after a conflict.</p>}
      {conflict && <p className="hint">Your edit met a newer version on the server; it was {conflict.resolution === 'retry' ? 'applied over it (the last writer wins)' : 'dropped'}.</p>}
      {save.status === 'failed' && <ErrorNote error={save.error} />}
    </div>
  );
}

/** The venue or gallera the directory derives from this profile, as the venues service holds it, live. */
function BusinessRecord({ kind, ownerId }: { kind: 'venue' | 'gallera'; ownerId: string }) {
  const { data, error } = useLiveList<Business>(kind, { ownerId });
  const record = data?.[0];
  return (
    <section className="card" aria-labelledby="business-title" data-testid="business-record">
      <h2 id="business-title">Your {kind} <small>(from the venues service)</small></h2>
      <ErrorNote error={error} />
      {!data ? <p>Loading…</p> : !record ? (
        <p>No {kind} yet: it appears once your profile has a {kind} name and location.</p>
      ) : (
        <dl>
          <dt>Name</dt><dd data-testid="business-name">{record.name}</dd>
          <dt>Location</dt><dd>{record.location}</dd>
          {record.description && (<><dt>Description</dt><dd>{record.description}</dd></>)}
          {record.contactInfo?.email && (<><dt>Email</dt><dd>{record.contactInfo.email}</dd></>)}
          {record.contactInfo?.website && (<><dt>Website</dt><dd>{record.contactInfo.website}</dd></>)}
          {record.specialties && (<><dt>Specialties</dt><dd>{record.specialties}</dd></>)}
          {record.activeRoosters !== undefined && record.activeRoosters !== null && (<><dt>Active roosters</dt><dd>{record.activeRoosters}</dd></>)}
          <dt>Version</dt><dd>v{record.version}, last changed by {record.lastChangedBy.eventType}</dd>
        </dl>
      )}
    </section>
  );
}
