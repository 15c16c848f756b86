import { useEffect, useState, type FormEvent } from 'react';
import type { ConnectorRun } from '@ripple/sync-client/react';
import { useConnectorRun, useSyncClient } from '@ripple/sync-client/react';
import { Badge, ErrorNote, Field, ProgressBar, fieldError, useAction, useApiRead } from './ui';

/** Documents 003 and 004: the catalog import's runs, and Broadstreet's entities with their import and export. */
export function ConnectorsPage() {
  return (
    <div className="columns">
      <CatalogImport />
      <Broadstreet />
    </div>
  );
}

/** One run's entities, in dependency order, each with its bar. */
export function RunProgress({ id, onFinished }: { id: string; onFinished?: () => void }) {
  const { run, entities, error } = useConnectorRun(id);
  const finished = run && run.status !== 'running';
  useEffect(() => void (finished && onFinished?.()), [finished]);
  if (error) return <ErrorNote error={error} />;
  if (!run) return <p>Loading run…</p>;
  return (
    <div className="run" data-testid="run" data-status={run.status}>
      <p>Run {run.id.slice(0, 8)} ({run.connector}, {run.mode}): <strong>{run.status}</strong></p>
      {entities.map((e) => (
        <div key={e.entity} data-entity={e.entity}>
          <ProgressBar label={`${e.entity} (${e.status})`} progress={e.progress} />
          {e.skippedBecause && <p className="hint">skipped: {e.skippedBecause}</p>}
          {e.errors.map((x, i) => <p key={i} className="error">{x.errorClass}: {x.message}</p>)}
        </div>
      ))}
      {run.error && <p className="error">{run.error.errorClass}: {run.error.message}</p>}
    </div>
  );
}

function CatalogImport() {
  const client = useSyncClient();
  const runs = useApiRead<ConnectorRun[]>('/api/connectors/runs?connector=nowrepblue&limit=10');
  const [current, setCurrent] = useState<string>();
  const action = useAction();
  const start = async (mode: 'full' | 'incremental') => {
    const run = await action.run(() => client.api<ConnectorRun>('POST', '/api/connectors/nowrepblue/runs', { mode }));
    if (run) setCurrent(run.id);
  };
  const rollback = () => void action.run(() => client.api('POST', '/api/connectors/catalog/rollback')).then(() => runs.reload());
  return (
    <section className="card" aria-labelledby="catalog-title">
      <h2 id="catalog-title">NowRepBlue catalog</h2>
      <div className="actions">
        <button type="button" onClick={() => void start('full')} disabled={action.busy}>Import now</button>
        <button type="button" onClick={() => void start('incremental')} disabled={action.busy}>Import changes only</button>
        <button type="button" onClick={rollback} disabled={action.busy}>Roll back to the previous version</button>
      </div>
      <ErrorNote error={action.error} />
      {current && <RunProgress key={current} id={current} onFinished={() => void runs.reload()} />}
      <h3>Recent runs</h3>
      <ErrorNote error={runs.error} />
      <ul aria-label="Recent catalog runs">
        {runs.data?.map((r) => (
          <li key={r.id}>
            <button type="button" className="link" onClick={() => setCurrent(r.id)}>{new Date(r.startedAt).toLocaleString()}</button> {r.mode}, <Badge kind={r.status}>{r.status}</Badge>
          </li>
        ))}
      </ul>
    </section>
  );
}

const TYPES = ['networks', 'advertisers', 'zones', 'advertisements', 'campaigns', 'placements'] as const;
/** The parent a new entity of a type names (document 004's paths), for the types this page creates. */
const CREATABLE: Partial<Record<(typeof TYPES)[number], { parent?: 'networks' | 'advertisers'; ref?: string }>> = {
  networks: {}, advertisers: { parent: 'networks', ref: 'network_id' }, zones: { parent: 'networks', ref: 'network_id' },
};

interface AdEntity { id: string; type: string; status: 'local' | 'synced' | 'imported'; name: string | null; remoteId: string | null; syncErrors?: unknown }

function Broadstreet() {
  const client = useSyncClient();
  const [current, setCurrent] = useState<string>();
  const [generation, setGeneration] = useState(0);
  const action = useAction();
  const start = async (path: string) => {
    const run = await action.run(() => client.api<ConnectorRun>('POST', path));
    if (run) setCurrent(run.id);
  };
  return (
    <section className="card" aria-labelledby="broadstreet-title">
      <h2 id="broadstreet-title">Broadstreet</h2>
      <div className="actions">
        <button type="button" onClick={() => void start('/api/sync/all')} disabled={action.busy}>Import all</button>
        <button type="button" onClick={() => void start('/api/sync/local-all')} disabled={action.busy}>Export local</button>
      </div>
      <ErrorNote error={action.error} />
      {current && <RunProgress key={current} id={current} onFinished={() => setGeneration((g) => g + 1)} />}
      {TYPES.map((t) => <EntityList key={t} type={t} generation={generation} onChanged={() => setGeneration((g) => g + 1)} />)}
    </section>
  );
}

function EntityList({ type, generation, onChanged }: { type: (typeof TYPES)[number]; generation: number; onChanged: () => void }) {
  const client = useSyncClient();
  const list = useApiRead<AdEntity[]>(`/api/adserver/${type}`, [generation]);
  const action = useAction();
  const remove = (id: string) => void action.run(() => client.api('DELETE', `/api/adserver/${type}/${id}`)).then(onChanged);
  return (
    <details open={type === 'networks' || type === 'advertisers'}>
      <summary>{type} ({list.data?.length ?? '…'})</summary>
      <ErrorNote error={list.error ?? action.error} />
      <ul aria-label={type}>
        {list.data?.map((e) => (
          <li key={e.id}>
            <Badge kind={e.status}>{e.status === 'local' ? 'Local' : e.status === 'synced' ? 'Synced' : 'Imported'}</Badge> {e.name ?? e.id.slice(0, 8)}
            {e.remoteId && <small> #{e.remoteId}</small>}
            {e.status === 'local' && <button type="button" className="link" onClick={() => remove(e.id)} aria-label={`Delete local ${e.name ?? e.id}`}>Delete</button>}
          </li>
        ))}
      </ul>
      {CREATABLE[type] && <NewLocal type={type} parent={CREATABLE[type]!} generation={generation} onCreated={onChanged} />}
    </details>
  );
}

function NewLocal({ type, parent, generation, onCreated }: { type: string; parent: { parent?: string; ref?: string }; generation: number; onCreated: () => void }) {
  const client = useSyncClient();
  const parents = useApiRead<AdEntity[]>(parent.parent && `/api/adserver/${parent.parent}`, [generation]);
  const [name, setName] = useState('');
  const [parentId, setParentId] = useState('');
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { name, ...(parent.ref ? { [parent.ref]: parentId || parents.data?.[0]?.id } : {}) };
    if (await action.run(() => client.api('POST', `/api/adserver/${type}`, body))) {
      setName('');
      onCreated();
    }
  };
  return (
    <form onSubmit={submit} className="inline" aria-label={`New local ${type}`}>
      <Field label="Name" name={`new-${type}`} value={name} onChange={setName} error={fieldError(action.error, 'name')} />
      {parent.ref && (
        <div className="field">
          <label htmlFor={`f-${type}-parent`}>{parent.parent}</label>
          <select id={`f-${type}-parent`} value={parentId} onChange={(e) => setParentId(e.target.value)}>
            {parents.data?.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
        </div>
      )}
      <button type="submit" disabled={action.busy}>Create local</button>
      <ErrorNote error={action.error} />
    </form>
  );
}
