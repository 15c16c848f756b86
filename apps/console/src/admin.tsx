import { useEffect, useState } from 'react';
import { follow } from '@ripple/sync-client';
import { useSyncClient } from '@ripple/sync-client/react';
import { ErrorNote, ProgressBar, useAction, useApiRead } from './ui';

const SERVICES = ['profiles', 'venues', 'pets', 'connectors', 'gateway'] as const;
type Service = (typeof SERVICES)[number];

interface Pipeline { service: string; outboxBacklog: number | null; projections: { name: string; lag: number | null; deadLetters: number }[]; readModels?: string[] }
interface Replay { id: string; projection: string; status: 'running' | 'succeeded' | 'failed'; phase: string; applied: number; total: number; error: string | null }
interface DeadLetter { id: string; projection: string; eventType: string; aggregateId: string; attempts: number; error: string; blockedBy: string | null; createdAt: string }

/** For admins: each service's pipeline (outbox backlog, projection lag, replays of its projections and read models) and its dead letters, to retry or discard. */
export function AdminPage() {
  return (
    <div className="columns">
      {SERVICES.map((s) => <ServicePanel key={s} service={s} />)}
    </div>
  );
}

function ServicePanel({ service }: { service: Service }) {
  const client = useSyncClient();
  const pipeline = useApiRead<Pipeline>(`/api/ops/${service}/pipeline`);
  const p = pipeline.data;
  const replay = useAction();
  const [replaying, setReplaying] = useState<string>();
  const startReplay = async (projection: string) => {
    const started = await replay.run(() => client.api<Replay>('POST', `/api/ops/${service}/replays`, { projection }));
    if (started) setReplaying(started.id);
  };
  return (
    <section className="card" aria-labelledby={`svc-${service}`} data-service={service}>
      <h2 id={`svc-${service}`}>{service}</h2>
      <button type="button" onClick={() => void pipeline.reload()}>Refresh figures</button>
      <ErrorNote error={pipeline.error} />
      {p && (
        <table className="figures">
          <caption className="sr-only">{service} pipeline</caption>
          <tbody>
            <tr><th scope="row">Outbox backlog</th><td data-testid="outbox-backlog">{p.outboxBacklog ?? 'publishes nothing'}</td></tr>
            {p.projections.map((x) => (
              <tr key={x.name}>
                <th scope="row">{x.name} lag</th>
                <td>{x.lag ?? 'no batch yet'}{x.deadLetters > 0 && `, ${x.deadLetters} dead letter(s)`}</td>
                <td><button type="button" className="link" onClick={() => void startReplay(x.name)} aria-label={`Replay ${x.name}`}>Replay</button></td>
              </tr>
            ))}
            {(p.readModels ?? []).map((name) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>rebuilt from events</td>
                <td><button type="button" className="link" onClick={() => void startReplay(name)} aria-label={`Replay ${name}`}>Replay</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorNote error={replay.error} />
      {replaying && <ReplayProgressBar key={replaying} service={service} id={replaying} />}
      {p && p.projections.length > 0 && <DeadLetters service={service} onChanged={() => void pipeline.reload()} />}
    </section>
  );
}

/** A blue/green rebuild of one projection, read until it has swapped in (or failed). */
function ReplayProgressBar({ service, id }: { service: Service; id: string }) {
  const client = useSyncClient();
  const [job, setJob] = useState<Replay>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    const abort = new AbortController();
    follow<Replay>(client, `/api/ops/${service}/replays/${id}`, { pollMs: 300, signal: abort.signal, done: (j) => j.status !== 'running', onUpdate: setJob }).catch(setError);
    return () => abort.abort();
  }, [client, service, id]);
  if (error) return <ErrorNote error={error} />;
  if (!job) return null;
  return (
    <div data-testid="replay" data-status={job.status}>
      <ProgressBar label={`Replay of ${job.projection}: ${job.phase}`} progress={{ completed: job.applied, total: job.total, failed: 0, percentage: job.total ? Math.round((100 * job.applied) / job.total) : job.status === 'running' ? 0 : 100 }} />
      {job.status === 'succeeded' && <p className="ok">Rebuilt from {job.applied} events and swapped in.</p>}
      {job.error && <p className="error">{job.error}</p>}
    </div>
  );
}

function DeadLetters({ service, onChanged }: { service: Service; onChanged: () => void }) {
  const client = useSyncClient();
  const letters = useApiRead<DeadLetter[]>(`/api/ops/${service}/dead-letters?status=open`);
  const action = useAction();
  const act = (method: 'POST' | 'DELETE', path: string) => void action.run(() => client.api(method, path)).then(() => (letters.reload(), onChanged()));
  return (
    <>
      <h3>Dead letters</h3>
      <button type="button" onClick={() => void letters.reload()}>Refresh dead letters</button>
      <ErrorNote error={letters.error ?? action.error} />
      {letters.data?.length === 0 && <p data-testid="no-dead-letters">None open.</p>}
      <ul aria-label={`${service} dead letters`}>
        {letters.data?.map((d) => (
          <li key={d.id} data-dead-letter={d.id}>
            <strong>{d.eventType}</strong> for {d.aggregateId.slice(0, 8)} in {d.projection}, {d.attempts} attempts
            {d.blockedBy ? <small> (parked behind {d.blockedBy.slice(0, 8)})</small> : null}
            <pre className="error-text">{d.error}</pre>
            {!d.blockedBy && (
              <div className="actions">
                <button type="button" onClick={() => act('POST', `/api/ops/${service}/dead-letters/${d.id}/retry`)}>Retry</button>
                <button type="button" onClick={() => act('DELETE', `/api/ops/${service}/dead-letters/${d.id}`)}>Discard</button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
